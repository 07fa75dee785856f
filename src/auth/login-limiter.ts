import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { REDIS } from '../redis/redis.module.js';
import type { RedisClient } from '../redis/redis.js';

export const LOGIN_WINDOW_SECONDS = 15 * 60;
/** Failed sign-ins per username within the window before it answers 429. */
export const USERNAME_FAILURES = 5;
/** Failed sign-ins per client address within the window (a shared NAT has several people). */
export const ADDRESS_FAILURES = 20;

// Both counters in one round trip: [userFailures, userTtlMs, addressFailures, addressTtlMs].
const READ = `return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PTTL', KEYS[1]),
  tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('PTTL', KEYS[2])}`;
// A fixed window from the first failure: the count expires as a whole when it passes.
const FAIL = `for i = 1, 2 do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
end
return 1`;

/**
 * Brute-force limits on sign-in, counted in Redis so every instance shares them. Counting is
 * the same for unknown users and wrong passwords; a locked username answers 429 even to the
 * right password until its window passes.
 */
@Injectable()
export class LoginLimiter {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Seconds to wait when either limit is reached, else null. */
  async blockedFor(username: string, address: string): Promise<number | null> {
    const [users, userTtl, addresses, addressTtl] = (await this.redis.eval(
      READ,
      2,
      ...this.keys(username, address),
    )) as [number, number, number, number];
    const waits = [
      users >= USERNAME_FAILURES ? userTtl : -1,
      addresses >= ADDRESS_FAILURES ? addressTtl : -1,
    ].filter((ms) => ms > 0);
    return waits.length ? Math.ceil(Math.max(...waits) / 1000) : null;
  }

  async failed(username: string, address: string): Promise<void> {
    await this.redis.eval(FAIL, 2, ...this.keys(username, address), LOGIN_WINDOW_SECONDS * 1000);
  }

  /** A successful sign-in clears the username's count (not the address's). */
  async succeeded(username: string): Promise<void> {
    await this.redis.del(this.keys(username, '')[0]);
  }

  private keys(username: string, address: string): [string, string] {
    // Hashed: a username field may hold anything, a mistyped password included.
    const user = createHash('sha256').update(username.trim().toLowerCase()).digest('hex');
    const prefix = `${this.config.queuePrefix}:login`;
    return [`${prefix}:user:${user}`, `${prefix}:addr:${address}`];
  }
}
