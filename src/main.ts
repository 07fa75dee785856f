import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/config.js';
import { prepareDatabase } from './database/prepare-database.js';
import { bootstrapHttp } from './http.js';
import { supervise } from './supervisor.js';
import { bootstrapWorker } from './worker.js';

async function main() {
  const config = loadConfig();
  await prepareDatabase(config.databaseUrl);
  if (config.split) return supervise(config);
  // Started by a supervisor: should it die, drain and go rather than run on unwatched.
  if (process.connected) process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  if (config.role === 'worker') await bootstrapWorker(config);
  else await bootstrapHttp(config);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error('Start-up failed:', err);
  process.exit(1);
});
