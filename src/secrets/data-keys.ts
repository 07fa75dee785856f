import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DATA_KEY_BYTES, DataKey, DataKeyError, parseDataKeys } from '../config/data-key.js';

/** The keys SecretBox uses: the first seals, every one opens. */
export interface DataKeyring {
  keys: DataKey[];
  /** Where the keys came from: `CCC_DATA_KEY` or the key file's path. */
  source: string;
}

/** A fresh random key in the text form `parseDataKeys` reads. */
export function generateDataKey(): string {
  return randomBytes(DATA_KEY_BYTES).toString('base64');
}

/**
 * The keys in `file`, creating it with one random key when it does not exist. Made with
 * mode 0600 (directory 0700) and published atomically with link(2), so that processes
 * starting together agree on one key. `created` tells the caller to say so in the log.
 */
export function loadOrCreateKeyFile(file: string): { keys: DataKey[]; created: boolean } {
  const target = path.resolve(file);
  let created = false;
  if (!fs.existsSync(target)) {
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(temp, `${generateDataKey()}\n`, { mode: 0o600, flag: 'wx' });
    try {
      fs.linkSync(temp, target);
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.unlinkSync(temp);
    }
  }
  const mode = fs.statSync(target).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new DataKeyError(
      `is readable by others (mode ${mode.toString(8)}); chmod 600 ${JSON.stringify(target)}`,
    );
  }
  return { keys: parseDataKeys(fs.readFileSync(target, 'utf8')), created };
}
