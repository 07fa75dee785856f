import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { actorOf, Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { sql } from '../common/sql.js';
import { SecretBox } from '../secrets/secret-box.js';
import {
  acceptedStep,
  newRecoveryCodes,
  newTotpSecret,
  otpauthUrl,
  qrSvg,
  recoveryCodeHash,
} from './totp.js';
import { msg } from '../i18n/i18n.js';

/**
 * TOTP enrolment and checking, and the one-time recovery codes. Secrets are sealed with
 * SecretBox (the data key) at rest; recovery codes are stored as SHA-256 only.
 */
@Injectable()
export class SecondFactorService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly audit: AuditService,
  ) {}

  /** Starts (or restarts) enrolment: a new secret, shown once, kept sealed until confirmed. */
  async begin(principal: Principal) {
    const [user] = await sql<{ username: string; enrolled: boolean }>(
      this.dataSource,
      'SELECT username, totp_secret IS NOT NULL AS enrolled FROM users WHERE id = $1',
      [principal.keyId],
    );
    if (!user) throw Problem.unauthorized();
    if (user.enrolled) {
      throw Problem.conflict(msg('problem.conflict.totpEnrolledReset'));
    }
    const secret = newTotpSecret();
    await this.dataSource.query('UPDATE users SET totp_pending_secret = $2 WHERE id = $1', [
      principal.keyId,
      this.box.seal(secret),
    ]);
    const url = otpauthUrl(secret, user.username);
    return { secret, otpauthUrl: url, qrSvg: await qrSvg(url) };
  }

  /** Confirms enrolment with a current code; returns the ten recovery codes, shown once. */
  async confirm(principal: Principal, code: string): Promise<{ recoveryCodes: string[] }> {
    return this.dataSource.transaction(async (manager) => {
      const [user] = await sql<{ pending: string | null; enrolled: boolean }>(
        manager,
        `SELECT totp_pending_secret AS pending, totp_secret IS NOT NULL AS enrolled
         FROM users WHERE id = $1 FOR UPDATE`,
        [principal.keyId],
      );
      if (!user) throw Problem.unauthorized();
      if (user.enrolled) throw Problem.conflict(msg('problem.conflict.totpEnrolled'));
      if (!user.pending) throw Problem.conflict(msg('problem.conflict.totpStart'));
      const step = await acceptedStep(this.box.open(user.pending), code, null);
      if (step === null) {
        throw Problem.validation([{ field: 'code', message: msg('v.notCurrentCode') }]);
      }
      await manager.query(
        `UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL,
           totp_last_step = $2 WHERE id = $1`,
        [principal.keyId, step],
      );
      const codes = newRecoveryCodes();
      await manager.query('DELETE FROM user_recovery_codes WHERE user_id = $1', [principal.keyId]);
      await manager.query(
        `INSERT INTO user_recovery_codes (user_id, code_hash)
         SELECT $1, unnest($2::text[])`,
        [principal.keyId, codes.map((c) => recoveryCodeHash(c)!)],
      );
      await this.audit.append(manager, {
        actor: actorOf(principal),
        action: 'user.totp-enrolled',
        targetType: 'user',
        targetId: principal.keyId,
        change: { recoveryCodes: codes.length },
      });
      return { recoveryCodes: codes };
    });
  }

  /**
   * Whether `code` is the user's current TOTP code (never one already used) or one of its
   * unused recovery codes, which it then uses up. Atomic, so a code works once across
   * concurrent requests and instances.
   */
  async check(
    userId: string,
    sealedSecret: string,
    code: string,
  ): Promise<'totp' | 'recovery' | null> {
    const [row] = await sql<{ last: string | null }>(
      this.dataSource,
      'SELECT totp_last_step AS last FROM users WHERE id = $1',
      [userId],
    );
    const step = await acceptedStep(
      this.box.open(sealedSecret),
      code.trim(),
      row?.last == null ? null : Number(row.last),
    );
    if (step !== null) {
      const taken = await sql(
        this.dataSource,
        `UPDATE users SET totp_last_step = $2
         WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id`,
        [userId, step],
      );
      return taken.length > 0 ? 'totp' : null;
    }
    const hash = recoveryCodeHash(code);
    if (!hash) return null;
    const used = await sql(
      this.dataSource,
      `UPDATE user_recovery_codes SET used_at = now()
       WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING user_id`,
      [userId, hash],
    );
    return used.length > 0 ? 'recovery' : null;
  }
}
