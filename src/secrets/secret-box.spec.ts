import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config/config.js';
import { parseDataKeys } from '../config/data-key.js';
import { generateDataKey, loadOrCreateKeyFile } from './data-keys.js';
import { SecretBox, SecretBoxError } from './secret-box.js';

const keyA = generateDataKey();
const keyB = generateDataKey();
const box = (spec: string) => new SecretBox({ keys: parseDataKeys(spec), source: 'test' });

describe('SecretBox', () => {
  it('round-trips text and never contains the plaintext', () => {
    const b = box(keyA);
    for (const plain of ['whsec_abc123', '', 'ünïcødé ☃', 'x'.repeat(5000)]) {
      const sealed = b.seal(plain);
      expect(sealed).toMatch(
        /^v1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/,
      );
      if (plain.length > 3) expect(sealed).not.toContain(plain);
      expect(b.open(sealed)).toBe(plain);
    }
  });

  it('uses a fresh IV each time', () => {
    const b = box(keyA);
    expect(b.seal('same')).not.toBe(b.seal('same'));
  });

  it('seals with the first key and opens with any listed key', () => {
    const old = box(keyA).seal('secret');
    const rotated = box(`${keyB},${keyA}`);
    expect(rotated.open(old)).toBe('secret');
    expect(rotated.state(old)).toBe('old-key');
    const fresh = rotated.seal('secret');
    expect(rotated.state(fresh)).toBe('current');
    expect(fresh.split('.')[1]).not.toBe(old.split('.')[1]);
  });

  it('fails clearly for an unknown key, a tampered value, or clear text', () => {
    const sealed = box(keyA).seal('secret');
    const other = box(keyB);
    expect(() => other.open(sealed)).toThrow(SecretBoxError);
    expect(() => other.open(sealed)).toThrow(/not configured \(CCC_DATA_KEY\)/);
    expect(other.state(sealed)).toBe('unknown-key');
    const parts = sealed.split('.');
    const flipped = parts[4][0] === 'A' ? 'B' : 'A';
    const tampered = [...parts.slice(0, 4), flipped + parts[4].slice(1)].join('.');
    expect(() => box(keyA).open(tampered)).toThrow(/does not authenticate/);
    expect(() => box(keyA).open('whsec_plain')).toThrow(/not a sealed value/);
    expect(box(keyA).state('whsec_plain')).toBe('clear');
  });
});

describe('CCC_DATA_KEY', () => {
  it('accepts base64 and base64url keys of 32 bytes, comma-separated', () => {
    const url = Buffer.from(keyB, 'base64').toString('base64url');
    const config = loadConfig({ CCC_DATA_KEY: `${keyA}, ${url}` });
    expect(config.dataKeys?.map((k) => k.key.length)).toEqual([32, 32]);
  });

  it('stops start-up naming the variable, without quoting the key', () => {
    const short = Buffer.alloc(16, 7).toString('base64');
    expect(() => loadConfig({ CCC_DATA_KEY: short })).toThrow(ConfigError);
    expect(() => loadConfig({ CCC_DATA_KEY: short })).toThrow(/CCC_DATA_KEY: key 1 is 16 bytes/);
    try {
      loadConfig({ CCC_DATA_KEY: `${keyA},not-base64!` });
    } catch (err) {
      expect((err as Error).message).toMatch(/CCC_DATA_KEY: key 2 is not base64/);
      expect((err as Error).message).not.toContain(keyA);
    }
    expect(() => loadConfig({ CCC_DATA_KEY: `${keyA},${keyA}` })).toThrow(/same key twice/);
  });
});

describe('the key file made when CCC_DATA_KEY is unset', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccc-key-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is made once with mode 0600 and read again afterwards', () => {
    const file = path.join(dir, 'sub', 'data-key');
    const first = loadOrCreateKeyFile(file);
    expect(first.created).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const second = loadOrCreateKeyFile(file);
    expect(second.created).toBe(false);
    expect(second.keys[0].id).toBe(first.keys[0].id);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['data-key']);
  });

  it('is refused when others may read it', () => {
    const file = path.join(dir, 'open-key');
    fs.writeFileSync(file, `${keyA}\n`, { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    expect(() => loadOrCreateKeyFile(file)).toThrow(/readable by others/);
  });
});
