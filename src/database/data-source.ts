import { DataSource, DataSourceOptions } from 'typeorm';
import { loadConfig } from '../config/config.js';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';

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
    extra: { application_name: 'ccc' },
  };
}

// Used by the TypeORM CLI (migration:generate / --check).
export default new DataSource(dataSourceOptions(loadConfig().databaseUrl));
