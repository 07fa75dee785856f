import { fileURLToPath } from 'node:url';
import { DataSource, DataSourceOptions } from 'typeorm';
import { loadConfig } from '../config/config.js';
import { MIGRATIONS } from './migrations/index.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';

/**
 * Every `*.entity.js` under src/, found by name: the database layer imports no feature, and
 * each feature owns its entity file. An entity left out by a misnamed file shows up as a
 * drift in `npm run migration:check`.
 */
const ENTITIES = [fileURLToPath(new URL('../**/*.entity.js', import.meta.url))];

export function dataSourceOptions(databaseUrl: string, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    poolSize,
    // UUID defaults are gen_random_uuid() (core since PostgreSQL 13): the migrations alone
    // make the schema, and TypeORM creates no extension on connect.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    extra: { application_name: 'ccc' },
  };
}

// Used by the TypeORM CLI (migration:generate / --check).
export default new DataSource(dataSourceOptions(loadConfig().databaseUrl));
