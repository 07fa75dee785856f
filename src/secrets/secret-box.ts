import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataKey } from '../config/data-key.js';
import type { DataKeyring } from './data-keys.js';

export const DATA_KEYRING = Symbol('DATA_KEYRING');

/** Sealed text: `v1.<keyId>.<iv>.<tag>.<ciphertext>`, the last three base64url. */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A value that cannot be opened: unknown key, tampered, or not sealed at all. */
export class SecretBoxError extends Error {}

/** What a stored value is, without opening it. */
export type SealedState = 'current' | 'old-key' | 'unknown-key' | 'clear';

/**
 * Encrypts secrets that must stay recoverable (webhook signing secrets, TOTP secrets) with
 * AES-256-GCM under the data key (CCC_DATA_KEY). The first key seals; every configured key
 * opens, so keys rotate without downtime. The header is authenticated data: a value
 * cannot be moved to another key id or version unnoticed.
 */
@Injectable()
export class SecretBox {
  private readonly sealing: DataKey;
  private readonly byId: Map<string, DataKey>;

  constructor(@Inject(DATA_KEYRING) keyring: DataKeyring) {
    if (keyring.keys.length === 0) throw new SecretBoxError('no data key configured');
    this.sealing = keyring.keys[0];
    this.byId = new Map(keyring.keys.map((k) => [k.id, k]));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const header = `${VERSION}.${this.sealing.id}`;
    const cipher = createCipheriv('aes-256-gcm', this.sealing.key, iv);
    cipher.setAAD(Buffer.from(header));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [header, b64(iv), b64(tag), b64(ciphertext)].join('.');
  }

  /** The plaintext; throws SecretBoxError (never quoting the value) when it cannot. */
  open(sealed: string): string {
    const parts = parse(sealed);
    if (!parts) throw new SecretBoxError('not a sealed value');
    const key = this.byId.get(parts.keyId);
    if (!key) {
      throw new SecretBoxError(
        `sealed with data key ${parts.keyId}, which is not configured (CCC_DATA_KEY)`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, parts.iv, {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(`${VERSION}.${parts.keyId}`));
      decipher.setAuthTag(parts.tag);
      return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError(`sealed value does not authenticate under data key ${key.id}`);
    }
  }

  /** Whether a stored value needs re-sealing: clear text, or sealed with an older key. */
  state(value: string): SealedState {
    const parts = parse(value);
    if (!parts) return 'clear';
    if (parts.keyId === this.sealing.id) return 'current';
    return this.byId.has(parts.keyId) ? 'old-key' : 'unknown-key';
  }

  /** The id of the key that seals new values (it appears in logs; it is not secret). */
  get sealingKeyId(): string {
    return this.sealing.id;
  }
}

function b64(buffer: Buffer): string {
  return buffer.toString('base64url');
}

const SEALED =
  /^v1\.([A-Za-z0-9_-]{8})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]*)$/;

function parse(value: string) {
  const m = SEALED.exec(value);
  if (!m) return null;
  return {
    keyId: m[1],
    iv: Buffer.from(m[2], 'base64url'),
    tag: Buffer.from(m[3], 'base64url'),
    ciphertext: Buffer.from(m[4], 'base64url'),
  };
}
