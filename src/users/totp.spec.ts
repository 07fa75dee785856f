import { generate } from 'otplib';
import { acceptedStep, newRecoveryCodes, recoveryCodeHash, TOTP_PERIOD } from './totp.js';

const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const now = 1_800_000_015; // 15 s into a step
const step = Math.floor(now / TOTP_PERIOD);
const codeAt = (seconds: number) => generate({ secret, epoch: seconds });

describe('TOTP window', () => {
  it('accepts the current step and one step either side', async () => {
    expect(await acceptedStep(secret, await codeAt(now), null, now)).toBe(step);
    expect(await acceptedStep(secret, await codeAt(now - TOTP_PERIOD), null, now)).toBe(step - 1);
    expect(await acceptedStep(secret, await codeAt(now + TOTP_PERIOD), null, now)).toBe(step + 1);
  });

  it('refuses codes two steps away', async () => {
    expect(await acceptedStep(secret, await codeAt(now - 2 * TOTP_PERIOD), null, now)).toBeNull();
    expect(await acceptedStep(secret, await codeAt(now + 2 * TOTP_PERIOD), null, now)).toBeNull();
  });

  it('never accepts a step already used (replay)', async () => {
    const code = await codeAt(now);
    expect(await acceptedStep(secret, code, step, now)).toBeNull();
    expect(await acceptedStep(secret, code, step - 1, now)).toBe(step);
  });

  it('refuses anything that is not six digits', async () => {
    expect(await acceptedStep(secret, '12345', null, now)).toBeNull();
    expect(await acceptedStep(secret, 'abcdef', null, now)).toBeNull();
  });
});

describe('recovery codes', () => {
  it('are ten distinct codes whose hash ignores case and dashes', () => {
    const codes = newRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    expect(codes[0]).toMatch(/^[0-9a-f]{5}(-[0-9a-f]{5}){3}$/);
    expect(recoveryCodeHash(codes[0].toUpperCase().replace(/-/g, ' '))).toBe(
      recoveryCodeHash(codes[0]),
    );
    expect(recoveryCodeHash('not a code')).toBeNull();
  });
});
