import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/config.js';
import { prepareDatabase } from './database/prepare-database.js';
import { supervise } from './supervisor.js';

async function main() {
  const config = loadConfig();
  await prepareDatabase(config.databaseUrl);
  if (config.split) return supervise(config);
  // Started by a supervisor: should it die, drain and go rather than run on unwatched.
  if (process.connected) process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  // Loaded here, not above: a supervisor never holds the application's code and memory.
  if (config.role === 'worker') await (await import('./worker.js')).bootstrapWorker(config);
  else await (await import('./http.js')).bootstrapHttp(config);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error('Start-up failed:', err);
  process.exit(1);
});
