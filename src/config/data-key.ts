import { createHash } from 'node:crypto';

/** AES-256: every data key is exactly 32 bytes. */
export const DATA_KEY_BYTES = 32;

/** One data key and the short public id that names it inside a sealed value. */
export interface DataKey {
  id: string;
  key: Buffer;
}

export class DataKeyError extends Error {}

/**
 * A key's id: 8 base64url characters of SHA-256("ccc-data-key:" + key). It tells which key
 * sealed a value without revealing anything usable about the key.
 */
export function dataKeyId(key: Buffer): string {
  return createHash('sha256')
    .update('ccc-data-key:')
    .update(key)
    .digest()
    .subarray(0, 6)
    .toString('base64url');
}

/**
 * Parses `CCC_DATA_KEY` (or the key file): keys of 32 bytes in base64 (standard or
 * url-safe alphabet), separated by commas, spaces or new lines; the first seals.
 * Throws with a message that does not quote the keys.
 */
export function parseDataKeys(spec: string): DataKey[] {
  const parts = spec.split(/[\s,]+/).filter((p) => p !== '');
  if (parts.length === 0) throw new DataKeyError('holds no key');
  const keys = parts.map((part, i) => {
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(part)) {
      throw new DataKeyError(`key ${i + 1} is not base64`);
    }
    const key = Buffer.from(part.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length !== DATA_KEY_BYTES) {
      throw new DataKeyError(
        `key ${i + 1} is ${key.length} bytes; each key must be ${DATA_KEY_BYTES} bytes in base64 (openssl rand -base64 32)`,
      );
    }
    return { id: dataKeyId(key), key };
  });
  const ids = new Set(keys.map((k) => k.id));
  if (ids.size !== keys.length) throw new DataKeyError('lists the same key twice');
  return keys;
}
