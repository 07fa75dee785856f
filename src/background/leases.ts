import pg from 'pg';
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis/redis.js';

/**
 * Held by one instance at a time. `hold()` takes it when free or renews it when this
 * instance has it: 'acquired' (newly: state kept by a former holder may be stale),
 * 'renewed', or null (another instance holds it). Throws when the store is unreachable.
 */
export interface Lease {
  hold(): Promise<'acquired' | 'renewed' | null>;
  release(): Promise<void>;
}

// 1 = renewed, 2 = newly acquired (first start, after another holder died, or after a Redis
// flush), 0 = held by another instance.
const HOLD = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 2 end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end`;

/** A Redis key with a TTL: a holder that stops renewing loses it after `ttlMs`. */
export class RedisLease implements Lease {
  private readonly token = randomUUID();

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly ttlMs: number,
  ) {}

  async hold(): Promise<'acquired' | 'renewed' | null> {
    const result = Number(
      await this.redis.eval(HOLD, 1, [this.key, this.token, String(this.ttlMs)]),
    );
    return result === 2 ? 'acquired' : result === 1 ? 'renewed' : null;
  }

  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, [this.key, this.token]);
  }
}

/**
 * A PostgreSQL session advisory lock on a connection of its own: PostgreSQL frees it when
 * that connection ends, so a holder that dies loses it at once.
 */
export class PgAdvisoryLease implements Lease {
  private client: pg.Client | null = null;
  private held = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly lockId: number,
    private readonly applicationName = 'ccc-lease',
  ) {}

  async hold(): Promise<'acquired' | 'renewed' | null> {
    try {
      const client = await this.connection();
      if (this.held) {
        await client.query('SELECT 1'); // still connected, so still held
        return 'renewed';
      }
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1) AS locked',
        [this.lockId],
      );
      this.held = rows[0].locked;
      return this.held ? 'acquired' : null;
    } catch (err) {
      await this.drop();
      throw err;
    }
  }

  async release(): Promise<void> {
    await this.drop(); // ending the session frees the lock
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      application_name: this.applicationName,
    });
    client.on('error', () => void this.drop());
    await client.connect();
    this.client = client;
    return client;
  }

  private async drop(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.held = false;
    await client?.end().catch(() => undefined);
  }
}
