import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Problem } from '../common/problem.js';
import { sql } from '../common/sql.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { REDIS } from '../redis/redis.module.js';
import type { RedisClient } from '../redis/redis.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { toUserView, USER_COLUMNS, userActor, UserRow } from '../users/user-view.js';
import { MappedRole, roleFromClaim, usernameFromClaims } from './oidc-claims.js';
import { msg } from '../i18n/i18n.js';

/** Cookie binding a sign-in attempt to the browser that started it (Lax: the IdP redirects back). */
export const OIDC_COOKIE = 'ccc_oidc';
const ATTEMPT_SECONDS = 600;

interface Attempt {
  verifier: string;
  nonce: string;
  binding: string;
}

/**
 * Single sign-on with OpenID Connect: authorization code with PKCE, state and nonce
 * (openid-client). The attempt is kept in Redis, so the callback may reach any instance.
 * The user is created or updated from the roles claim at each sign-in.
 */
@Injectable()
export class OidcService {
  private readonly logger = new Logger(OidcService.name);
  private configuration?: Promise<client.Configuration>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get settings() {
    if (!this.config.oidc) throw Problem.notFound('singleSignOn');
    return this.config.oidc;
  }

  /** Where a person lands after signing in through the provider. */
  get consoleUrl(): string {
    return `${this.config.publicUrl.replace(/\/$/, '')}/console/`;
  }

  get redirectUri(): string {
    return `${this.config.publicUrl.replace(/\/$/, '')}/api/v1/auth/oidc/callback`;
  }

  /** Discovery once per process; a failure is retried on the next sign-in. */
  private discover(): Promise<client.Configuration> {
    const settings = this.settings; // 404 when single sign-on is not configured
    this.configuration ??= this.configure(settings).catch((err: unknown) => {
      this.configuration = undefined;
      this.logger.warn(`OIDC discovery failed: ${(err as Error).message}`);
      throw new Problem(503, 'sso-unavailable', msg('problem.sso.unavailable'));
    });
    return this.configuration;
  }

  /**
   * The provider's metadata, and how this client authenticates at its token endpoint: no
   * secret, a public client (PKCE only); with a secret, HTTP Basic (`client_secret_basic`,
   * which every provider must support and the OpenID default), or the form body when the
   * provider lists only `client_secret_post`.
   */
  private async configure(s: NonNullable<AppConfig['oidc']>): Promise<client.Configuration> {
    // Plain http only for an http issuer (development and tests on loopback).
    const insecure = s.issuer.startsWith('http:');
    const discovered = await client.discovery(
      new URL(s.issuer),
      s.clientId,
      undefined,
      client.None(),
      insecure ? { execute: [client.allowInsecureRequests] } : undefined,
    );
    const metadata = discovered.serverMetadata();
    const methods = metadata.token_endpoint_auth_methods_supported;
    const auth = !s.clientSecret
      ? client.None()
      : methods &&
          !methods.includes('client_secret_basic') &&
          methods.includes('client_secret_post')
        ? client.ClientSecretPost(s.clientSecret)
        : client.ClientSecretBasic(s.clientSecret);
    const configuration = new client.Configuration(metadata, s.clientId, s.clientSecret, auth);
    if (insecure) client.allowInsecureRequests(configuration);
    return configuration;
  }

  /** Starts a sign-in: where to send the browser, and the value of the binding cookie. */
  async start(): Promise<{ url: string; binding: string }> {
    const configuration = await this.discover();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const binding = randomBytes(32).toString('base64url');
    const attempt: Attempt = { verifier, nonce, binding: digest(binding) };
    await this.redis.set(this.key(state), JSON.stringify(attempt), 'EX', ATTEMPT_SECONDS);
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, binding };
  }

  /**
   * Completes a sign-in: the state must be one this service issued (used once) to this
   * browser; the code is exchanged with the PKCE verifier and the ID token's nonce checked.
   */
  async finish(
    query: Record<string, string>,
    callbackPath: string,
    binding: string | undefined,
    address: string,
  ) {
    const configuration = await this.discover();
    const state = typeof query.state === 'string' ? query.state : '';
    const stored = state ? await this.redis.getdel(this.key(state)) : null;
    const attempt = stored ? (JSON.parse(stored) as Attempt) : null;
    if (!attempt || !binding || digest(binding) !== attempt.binding) {
      await this.failed(address, 'state');
      throw new Problem(400, 'sso-state', msg('problem.sso.state'));
    }
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(
        configuration,
        new URL(callbackPath, this.config.publicUrl),
        { pkceCodeVerifier: attempt.verifier, expectedState: state, expectedNonce: attempt.nonce },
      );
      const idClaims = tokens.claims()!;
      claims = { ...idClaims };
      if (claims[this.settings.rolesClaim] === undefined) {
        const info = await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
        claims = { ...info, ...idClaims };
      }
    } catch (err) {
      if (err instanceof Problem) throw err;
      await this.failed(address, 'token');
      this.logger.warn(`OIDC sign-in failed: ${(err as Error).name}`);
      throw new Problem(401, 'sso-failed', msg('problem.sso.failed'));
    }
    const mapped = roleFromClaim(claims[this.settings.rolesClaim]);
    const sub = String(claims.sub);
    if (!mapped) {
      await this.failed(address, 'no-role', sub);
      throw new Problem(
        403,
        'no-admissible-role',
        msg('problem.sso.noRole', { claim: this.settings.rolesClaim }),
      );
    }
    return this.signIn(claims, sub, mapped, address);
  }

  private async signIn(
    claims: Record<string, unknown>,
    sub: string,
    mapped: MappedRole,
    address: string,
  ) {
    const issuer = this.settings.issuer;
    const displayName = typeof claims.name === 'string' ? claims.name.slice(0, 200) : null;
    const email =
      typeof claims.email === 'string' && claims.email.length <= 320 ? claims.email : null;
    return this.dataSource.transaction(async (manager) => {
      let [user] = await sql<UserRow>(
        manager,
        `SELECT ${USER_COLUMNS} FROM users WHERE oidc_issuer = $1 AND oidc_subject = $2 FOR UPDATE`,
        [issuer, sub],
      );
      const actor = `sso:${new URL(issuer).host}`;
      if (!user) {
        const username = usernameFromClaims({ sub, preferred_username: claims.preferred_username });
        [user] = await sql<UserRow>(
          manager,
          `INSERT INTO users (username, display_name, email, role, state, locale, oidc_issuer,
             oidc_subject)
           VALUES ($1, $2, $3, $4, $5, 'ru', $6, $7) ON CONFLICT (username) DO NOTHING
           RETURNING ${USER_COLUMNS}`,
          [username, displayName ?? username, email, mapped.role, mapped.state, issuer, sub],
        );
        if (!user) {
          throw Problem.conflict(msg('problem.conflict.localAccount', { username }));
        }
        await this.audit.append(manager, {
          actor,
          action: 'user.created',
          targetType: 'user',
          targetId: user.id,
          change: { username, role: mapped.role, state: mapped.state, sso: true },
        });
      } else {
        if (user.disabled) {
          throw Problem.forbidden(msg('problem.forbidden.accountDisabled'));
        }
        if (user.role !== mapped.role || user.state !== mapped.state) {
          const ended = await this.sessions.endAllOf(manager, user.id);
          await this.audit.append(manager, {
            actor,
            action: 'user.role-changed',
            targetType: 'user',
            targetId: user.id,
            change: {
              username: user.username,
              role: { from: user.role, to: mapped.role },
              state: { from: user.state, to: mapped.state },
              sessionsEnded: ended,
            },
          });
        }
        [user] = await sql<UserRow>(
          manager,
          `UPDATE users SET role = $2, state = $3, display_name = COALESCE($4, display_name),
             email = COALESCE($5, email) WHERE id = $1 RETURNING ${USER_COLUMNS}`,
          [user.id, mapped.role, mapped.state, displayName, email],
        );
      }
      const session = await this.sessions.create(user.id, 'oidc', manager);
      await manager.query('UPDATE users SET last_login_at = now() WHERE id = $1', [user.id]);
      await this.audit.append(manager, {
        actor: userActor(user),
        action: 'user.signed-in',
        targetType: 'user',
        targetId: user.id,
        change: { method: 'oidc', address, session: session.id },
      });
      return { user: toUserView(user), token: session.token };
    });
  }

  private async failed(address: string, reason: string, subject?: string) {
    await this.audit.appendNow({
      actor: 'anonymous',
      action: 'user.sign-in-failed',
      targetType: 'user',
      targetId: null,
      change: { method: 'oidc', reason, address, ...(subject ? { subject } : {}) },
    });
  }

  private key(state: string): string {
    return `${this.config.queuePrefix}:oidc:${digest(state)}`;
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
