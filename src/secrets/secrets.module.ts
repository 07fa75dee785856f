import { Global, Logger, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig, ConfigError } from '../config/config.js';
import { DataKeyError } from '../config/data-key.js';
import { DataKeyring, loadOrCreateKeyFile } from './data-keys.js';
import { DATA_KEYRING, SecretBox } from './secret-box.js';
import { SecretRotation } from './secret-rotation.js';

/** CCC_DATA_KEY when set; otherwise the key file, made once and kept outside the database. */
export function dataKeyring(config: AppConfig, logger = new Logger('Secrets')): DataKeyring {
  if (config.dataKeys) return { keys: config.dataKeys, source: 'CCC_DATA_KEY' };
  let loaded;
  try {
    loaded = loadOrCreateKeyFile(config.dataKeyFile);
  } catch (err) {
    const reason =
      err instanceof DataKeyError ? err.message : (err as Error).message.replace(/\s+/g, ' ');
    throw new ConfigError(
      `Invalid configuration:\n  CCC_DATA_KEY_FILE=${JSON.stringify(config.dataKeyFile)}: ${reason} (or set CCC_DATA_KEY)`,
    );
  }
  logger.warn(
    `CCC_DATA_KEY is unset: stored secrets are encrypted with the key in ${config.dataKeyFile}` +
      `${loaded.created ? ' (generated now)' : ''}; production should set CCC_DATA_KEY`,
  );
  return { keys: loaded.keys, source: config.dataKeyFile };
}

/** SecretBox for every module: encryption at rest of secrets that must stay recoverable. */
@Global()
@Module({
  providers: [
    { provide: DATA_KEYRING, inject: [APP_CONFIG], useFactory: (c: AppConfig) => dataKeyring(c) },
    SecretBox,
    SecretRotation,
  ],
  exports: [SecretBox, SecretRotation],
})
export class SecretsModule {}
