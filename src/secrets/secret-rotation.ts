import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SecretBox } from './secret-box.js';

/** What re-sealing one column did. */
export interface ResealResult {
  /** Clear (legacy) or old-key values now sealed with the current key. */
  resealed: number;
  /** Values sealed with a key that is no longer configured: left as they are. */
  unreadable: number;
}

/** A stored value to bring to the current key, and what replaces it. */
export interface Reseal {
  id: string;
  from: string;
  to: string;
}

/**
 * A stored column of sealed secrets. Its owning module registers it and does the reading
 * and writing (one owner per table); the rotation decides what to write.
 */
export interface SealedColumn {
  /** `table.column`, for the log. */
  name: string;
  /** Every non-null stored value with its row id. */
  read(): Promise<{ id: string; value: string }[]>;
  /** Writes `to` where the row still holds `from`; returns how many rows changed. */
  write(changes: Reseal[]): Promise<number>;
}

/**
 * Brings every sealed column to the current key: at each start (every role), and by
 * `npm run secrets:rotate`. Idempotent and safe with several instances at once, as owners
 * update a row only while it still holds the value they read.
 */
@Injectable()
export class SecretRotation implements OnApplicationBootstrap {
  private readonly logger = new Logger('Secrets');
  private readonly columns: SealedColumn[] = [];

  constructor(private readonly box: SecretBox) {}

  register(column: SealedColumn): void {
    this.columns.push(column);
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.resealAll();
    } catch (err) {
      // Not fatal: values sealed with a configured key still open; the next start retries.
      this.logger.error({ err }, 'could not re-seal stored secrets');
    }
  }

  async resealAll(): Promise<Record<string, ResealResult>> {
    const out: Record<string, ResealResult> = {};
    for (const column of this.columns) {
      const result = await this.reseal(column);
      out[column.name] = result;
      if (result.resealed > 0) {
        this.logger.log(
          `${column.name}: re-sealed ${result.resealed} value(s) with data key ${this.box.sealingKeyId}`,
        );
      }
      if (result.unreadable > 0) {
        this.logger.error(
          `${column.name}: ${result.unreadable} value(s) sealed with a data key that is not configured; add it back to CCC_DATA_KEY`,
        );
      }
    }
    return out;
  }

  private async reseal(column: SealedColumn): Promise<ResealResult> {
    const changes: Reseal[] = [];
    let unreadable = 0;
    for (const { id, value } of await column.read()) {
      const state = this.box.state(value);
      if (state === 'unknown-key') unreadable++;
      else if (state === 'clear') changes.push({ id, from: value, to: this.box.seal(value) });
      else if (state === 'old-key') {
        changes.push({ id, from: value, to: this.box.seal(this.box.open(value)) });
      }
    }
    const resealed = changes.length > 0 ? await column.write(changes) : 0;
    return { resealed, unreadable };
  }
}
