import { createHash, randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

/** RFC 6238 defaults every authenticator app supports: SHA-1, 6 digits, 30 s. */
export const TOTP_PERIOD = 30;
/** One step either side of now is accepted (clock drift and typing time). */
const TOLERANCE_SECONDS = TOTP_PERIOD;
export const RECOVERY_CODES = 10;

export function newTotpSecret(): string {
  return generateSecret(); // 160 bits, base32
}

export function otpauthUrl(secret: string, username: string): string {
  return generateURI({ issuer: 'CCC', label: username, secret });
}

/** The otpauth URI as an SVG QR code (drawn on the server, no browser or canvas). */
export function qrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/**
 * The time step a code is valid for, or null. Codes of the previous, current and next
 * step are accepted, but never one of a step at or before `lastStep` (no replay).
 */
export async function acceptedStep(
  secret: string,
  code: string,
  lastStep: number | null,
  epochSeconds = Math.floor(Date.now() / 1000),
): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const result = await verify({
    secret,
    token: code,
    epoch: epochSeconds,
    epochTolerance: TOLERANCE_SECONDS,
    ...(lastStep !== null ? { afterTimeStep: lastStep } : {}),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

/** Ten codes of 80 random bits, written `xxxxx-xxxxx-xxxxx-xxxxx` in hex. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODES }, () =>
    (randomBytes(10).toString('hex').match(/.{5}/g) ?? []).join('-'),
  );
}

/** What a recovery code is stored as; case, spaces and dashes do not matter. */
export function recoveryCodeHash(code: string): string | null {
  const normal = code.toLowerCase().replace(/[\s-]/g, '');
  if (!/^[0-9a-f]{20}$/.test(normal)) return null;
  return createHash('sha256').update(normal).digest('hex');
}
