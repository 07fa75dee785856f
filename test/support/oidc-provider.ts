import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

/**
 * A real OpenID provider (`oidc-provider`, the certified implementation) on a loopback
 * port, for the single sign-on tests. Its login "page" is two plain HTTP endpoints, so a
 * test signs an account in without a browser:
 * - `GET /interaction/:uid` answers `{uid, prompt}` (what a login page would show);
 * - `POST /interaction/:uid/login` `{account}` signs that account in and redirects back
 *   into the provider, which then redirects to the client with `code` and `state`.
 * A browser (`Accept: text/html`) gets a login page instead: an `Account` field and a
 * `Continue at the provider` button posting the same form.
 * Consent is implied for the one (first-party) client, as organisations configure it.
 */
export interface OidcClientSettings {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** The claim carrying the CCC roles (CCC_OIDC_ROLES_CLAIM). */
  rolesClaim: string;
}

export class OidcTestProvider {
  /** Accounts by subject: the claims the provider asserts about them (change them freely). */
  readonly accounts = new Map<string, Record<string, unknown>>();
  /** Errors the provider reported (`server_error` events), for assertions. */
  readonly errors: Error[] = [];
  /** How each token request carried the client's credentials: a Basic header, or not. */
  readonly tokenAuth: ('basic' | 'body')[] = [];

  private constructor(
    readonly issuer: string,
    private readonly server: Server,
  ) {}

  static async start(settings: OidcClientSettings): Promise<OidcTestProvider> {
    let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
      res.statusCode = 503;
      res.end();
    };
    const server = createServer((req, res) => handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const op = new OidcTestProvider(issuer, server);
    const provider = op.create(settings);
    const callback = provider.callback();
    handle = (req, res) => {
      if (req.url?.startsWith('/interaction/')) {
        op.interaction(provider, req, res).catch((err: Error) => {
          op.errors.push(err);
          res.statusCode = 500;
          res.end(err.message);
        });
      } else {
        void callback(req, res);
      }
    };
    return op;
  }

  private create(settings: OidcClientSettings): Provider {
    const signing = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      format: 'jwk',
    });
    const provider = new Provider(this.issuer, {
      clients: [
        {
          client_id: settings.clientId,
          client_secret: settings.clientSecret,
          redirect_uris: [settings.redirectUri],
          response_types: ['code'],
          grant_types: ['authorization_code'],
        },
      ],
      // PKCE (S256) on every authorization request, confidential client or not.
      pkce: { methods: ['S256'], required: () => true },
      jwks: { keys: [{ ...signing, kid: 'test-signing', use: 'sig', alg: 'RS256' }] },
      cookies: { keys: [randomBytes(32).toString('hex')] },
      claims: {
        openid: ['sub'],
        profile: ['name', 'preferred_username', settings.rolesClaim],
        email: ['email'],
      },
      findAccount: (_ctx, sub) => {
        const claims = this.accounts.get(sub);
        if (!claims) return undefined;
        return { accountId: sub, claims: () => ({ sub, ...claims }) };
      },
      adapter: MapAdapter.factory(),
      ttl: {
        AccessToken: 600,
        AuthorizationCode: 60,
        Grant: 3600,
        IdToken: 600,
        Interaction: 600,
        Session: 3600,
      },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      // The client is first-party: what it asks for is granted without a consent page.
      loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
        const { client, session, params } = ctx.oidc;
        if (!client || !session?.accountId) return undefined;
        const known = session.grantIdFor(client.clientId);
        if (known) {
          const grant = await ctx.oidc.provider.Grant.find(known);
          if (grant) return grant;
        }
        const grant = new ctx.oidc.provider.Grant({
          clientId: client.clientId,
          accountId: session.accountId,
        });
        grant.addOIDCScope(typeof params?.scope === 'string' ? params.scope : 'openid');
        await grant.save();
        return grant;
      },
    });
    provider.on('server_error', (_ctx: unknown, err: Error) => this.errors.push(err));
    provider.use(async (ctx, next) => {
      if (ctx.method === 'POST' && ctx.path === '/token') {
        this.tokenAuth.push(/^basic /i.test(ctx.get('authorization')) ? 'basic' : 'body');
      }
      await next();
    });
    return provider;
  }

  private async interaction(provider: Provider, req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET' && /text\/html/.test(req.headers.accept ?? '')) {
      // A browser: a login page with one field and one button.
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider</title></head>' +
          `<body><main><h1>Test provider</h1><form method="post" action="/interaction/${details.uid}/login">` +
          '<label>Account <input name="account" autocomplete="off"></label>' +
          '<button type="submit">Continue at the provider</button></form></main></body></html>',
      );
      return;
    }
    if (req.method === 'GET') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ uid: details.uid, prompt: details.prompt.name }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const { account } = (
      /^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')
        ? Object.fromEntries(new URLSearchParams(text))
        : JSON.parse(text || '{}')
    ) as { account?: string };
    if (!account || !this.accounts.has(account)) {
      res.statusCode = 400;
      res.end('unknown account');
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: account } },
      { mergeWithLastSubmission: false },
    );
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The provider's state in memory, per provider (its built-in one is shared and warns). */
class MapAdapter {
  constructor(private readonly store: Map<string, Record<string, unknown>>) {}

  /** A factory giving each model of one provider its own map. */
  static factory() {
    const stores = new Map<string, Map<string, Record<string, unknown>>>();
    return (model: string) => {
      if (!stores.has(model)) stores.set(model, new Map());
      return new MapAdapter(stores.get(model)!);
    };
  }

  async upsert(id: string, payload: Record<string, unknown>): Promise<void> {
    this.store.set(id, payload);
  }
  async find(id: string) {
    return this.store.get(id);
  }
  async findByUid(uid: string) {
    return [...this.store.values()].find((p) => p.uid === uid);
  }
  async findByUserCode(userCode: string) {
    return [...this.store.values()].find((p) => p.userCode === userCode);
  }
  async consume(id: string): Promise<void> {
    const payload = this.store.get(id);
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string): Promise<void> {
    this.store.delete(id);
  }
  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [id, p] of this.store) if (p.grantId === grantId) this.store.delete(id);
  }
}

/** Cookies by name for one site, as a browser keeps them (paths ignored: names differ). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  delete(name: string): void {
    this.cookies.delete(name);
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * A browser signing a person in through the service's single sign-on, step by step so a
 * test can tamper with any of them: `start` (the service's redirect to the provider),
 * `authorize` (sign-in at the provider, up to its redirect back), `callback` (that
 * redirect delivered to the service). Cookies are kept per site, as a browser does.
 */
export class SsoBrowser {
  readonly service = new CookieJar();
  readonly provider = new CookieJar();

  constructor(
    private readonly serviceUrl: string,
    private readonly seen: string[] = [],
  ) {}

  /** `GET /api/v1/auth/oidc/login`: → the provider's authorization URL. */
  async start(): Promise<URL> {
    const res = await fetch(`${this.serviceUrl}/api/v1/auth/oidc/login`, {
      redirect: 'manual',
      headers: this.cookieHeader(this.service),
    });
    this.service.store(res);
    const text = await res.text();
    this.seen.push(`GET /api/v1/auth/oidc/login ${res.status} ${text}`);
    if (res.status !== 302) throw new Error(`oidc/login answered ${res.status}: ${text}`);
    return new URL(res.headers.get('location')!);
  }

  /**
   * Follows the provider from `authorization` as `account` until it redirects elsewhere
   * (the service's redirect URI with `code` and `state`, or with `error`).
   */
  async authorize(authorization: URL, account: string): Promise<URL> {
    let url = authorization;
    for (let hop = 0; hop < 10; hop++) {
      if (url.origin !== authorization.origin) return url;
      let res: Response;
      if (url.pathname.startsWith('/interaction/')) {
        const page = await this.providerFetch(url);
        const shown = await page.text();
        if (page.status !== 200) throw new Error(`interaction page: ${page.status} ${shown}`);
        res = await this.providerFetch(new URL(`${url.pathname}/login`, url), { account });
      } else {
        res = await this.providerFetch(url);
      }
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) {
        throw new Error(`provider answered ${res.status}: ${await res.text()}`);
      }
      await res.arrayBuffer();
      url = new URL(location, url);
    }
    throw new Error('too many redirects at the provider');
  }

  /**
   * Delivers the provider's redirect (path and query) to the service's actual address, or
   * to another instance's (`at`).
   */
  async callback(
    redirect: URL,
    at: string = this.serviceUrl,
  ): Promise<{ status: number; headers: Headers; text: string; body: any }> {
    const path = `${redirect.pathname}${redirect.search}`;
    const res = await fetch(`${at}${path}`, {
      redirect: 'manual',
      headers: this.cookieHeader(this.service),
    });
    this.service.store(res);
    const text = await res.text();
    this.seen.push(`GET ${redirect.pathname} ${res.status} ${text}`);
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, headers: res.headers, text, body };
  }

  /** All three steps for `account`. */
  async signIn(account: string) {
    return this.callback(await this.authorize(await this.start(), account));
  }

  private async providerFetch(url: URL, body?: unknown): Promise<Response> {
    const res = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      redirect: 'manual',
      headers: {
        ...this.cookieHeader(this.provider),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    this.provider.store(res);
    return res;
  }

  private cookieHeader(jar: CookieJar): Record<string, string> {
    const header = jar.header();
    return header ? { cookie: header } : {};
  }
}
