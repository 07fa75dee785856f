import { createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** A fresh data key in CCC_DATA_KEY's form (32 bytes, base64). */
export function newDataKey(): string {
  return randomBytes(32).toString('base64');
}

/** The id a sealed value names its key by (first 6 bytes of SHA-256, base64url). */
export function dataKeyId(keyBase64: string): string {
  return createHash('sha256')
    .update('ccc-data-key:')
    .update(Buffer.from(keyBase64, 'base64'))
    .digest()
    .subarray(0, 6)
    .toString('base64url');
}

/**
 * Opens a `v1.<keyId>.<iv>.<tag>.<ciphertext>` value with Node's crypto, written apart from
 * the service's SecretBox so that the tests check the stored format, not the code itself.
 */
export function openSealed(sealed: string, keyBase64: string): string {
  const [version, keyId, iv, tag, ciphertext] = sealed.split('.');
  if (version !== 'v1') throw new Error(`not a v1 sealed value: ${sealed.slice(0, 12)}…`);
  if (keyId !== dataKeyId(keyBase64)) throw new Error(`sealed with key ${keyId}`);
  const decipher = createDecipheriv(
    'aes-256-gcm',
    Buffer.from(keyBase64, 'base64'),
    Buffer.from(iv, 'base64url'),
  );
  decipher.setAAD(Buffer.from(`${version}.${keyId}`));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([
    decipher.update(Buffer.from(ciphertext, 'base64url')),
    decipher.final(),
  ]).toString('utf8');
}
