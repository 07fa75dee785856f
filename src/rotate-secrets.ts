import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from './audit/audit.module.js';
import { createRootLogger, NestPinoLogger } from './common/logging.js';
import { ConfigError, loadConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { dataSourceOptions } from './database/data-source.js';
import { prepareDatabase } from './database/prepare-database.js';
import { MemberStatesModule } from './member-states/member-states.module.js';
import { SecretBox } from './secrets/secret-box.js';
import { SecretRotation } from './secrets/secret-rotation.js';
import { SecretsModule } from './secrets/secrets.module.js';

/** Modules owning a column of sealed secrets; each registers it with SecretRotation. */
const SEALED_COLUMN_OWNERS = [MemberStatesModule];

/**
 * `npm run secrets:rotate`: re-seals every stored secret with the first key of
 * CCC_DATA_KEY (and seals legacy clear values), without serving or running workers, then
 * says whether any value still needs a key that is not configured. Every start of the
 * service does the same; this is for checking before an old key is removed.
 */
async function main() {
  const config = loadConfig();
  await prepareDatabase(config.databaseUrl);
  @Module({
    imports: [
      ConfigModule.forRoot(config),
      TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl, 2)),
      AuditModule,
      SecretsModule,
      ...SEALED_COLUMN_OWNERS,
    ],
  })
  class RotateSecretsModule {}
  const app = await NestFactory.createApplicationContext(RotateSecretsModule, { bufferLogs: true });
  app.useLogger(new NestPinoLogger(createRootLogger(config)));
  await app.init();
  // init() already re-sealed; a second pass reports what is left.
  const results = await app.get(SecretRotation).resealAll();
  const sealingKey = app.get(SecretBox).sealingKeyId;
  await app.close();
  const unreadable = Object.values(results).reduce((n, r) => n + r.unreadable, 0);
  console.log(JSON.stringify({ sealingKey, columns: results }));
  if (unreadable > 0) {
    console.error(
      `${unreadable} value(s) are sealed with a key that is not in CCC_DATA_KEY: add it back`,
    );
    process.exit(2);
  }
  console.log(`Every stored secret is sealed with key ${sealingKey}; older keys may be removed.`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error('Rotation failed:', err);
  process.exit(1);
});
