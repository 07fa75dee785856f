import { createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { canonicalJson } from '../audit/canonical-json.js';
import { Problem } from '../common/problem.js';
import { sql } from '../common/sql.js';
import { msg } from '../i18n/i18n.js';

/** The `Idempotency-Key` of a request and the SHA-256 of its canonical JSON body. */
export interface IdempotencyRequest {
  key: string;
  hash: string;
}

/** What a create answers: the body, and whether it is the stored answer to an earlier call. */
export interface Outcome<T> {
  status: number;
  body: T;
  replayed: boolean;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Reads the optional header; the body is hashed as parsed, before validation or defaults. */
export const IdempotencyKey = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): IdempotencyRequest | null => {
    const request = ctx.switchToHttp().getRequest<FastifyRequest>();
    const key = request.headers['idempotency-key'];
    if (key === undefined) return null;
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw Problem.validation([{ field: 'Idempotency-Key', message: msg('v.idempotencyKey') }]);
    }
    const hash = createHash('sha256')
      .update(canonicalJson(request.body ?? null))
      .digest('hex');
    return { key, hash };
  },
);

/** Sets the replay header and hands the body to Nest (with `@Res({ passthrough: true })`). */
export function respond<T>(reply: FastifyReply, outcome: Outcome<T>): T {
  void reply.status(outcome.status);
  if (outcome.replayed) void reply.header('Idempotent-Replayed', 'true');
  return outcome.body;
}

/**
 * Idempotency keys per the IETF httpapi draft, scoped to the calling API key. Intake claims
 * the key and stores its answer in the statement that files the incident (see
 * intake-statement.ts); this reads the stored answer back when that INSERT found the key.
 */
@Injectable()
export class IdempotencyService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The answer stored for this key: a replay, or 422 for another body. Null when no live
   * row is left (it expired or was purged since the conflict): the caller files again.
   */
  async stored(apiKeyId: string, request: IdempotencyRequest): Promise<Outcome<unknown> | null> {
    const [row] = await sql<{
      request_hash: string;
      status_code: number;
      response: unknown;
    }>(
      this.dataSource,
      `SELECT request_hash, status_code, response FROM idempotency_keys
       WHERE api_key_id = $1 AND key = $2 AND expires_at > now()`,
      [apiKeyId, request.key],
    );
    if (!row) return null;
    if (row.request_hash !== request.hash) {
      throw new Problem(422, 'idempotency-key-reused', msg('problem.idempotencyKeyReused'));
    }
    return { status: row.status_code, body: row.response, replayed: true };
  }
}
