import { ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRootLogger } from './common/logging.js';
import { AppConfig } from './config/config.js';

/** The processes of role `all` when split: intake and reads, and everything behind the queues. */
const ROLES = ['api', 'worker'] as const;
const RESTART_DELAY_MS = 1_000;
/** More restarts than this within the window: something is wrong that a restart won't fix. */
const RESTART_LIMIT = 5;
const RESTART_WINDOW_MS = 60_000;

/**
 * Role `all` on two or more cores (CCC_PROCESSES=auto, the default): one Node process runs
 * JavaScript on one core, so the API and the worker run as two processes of this build,
 * started and watched here. A process that dies is restarted (the database is the truth: nothing it had accepted
 * is lost); one that keeps dying stops the service with exit code 1, for the service manager
 * to see. SIGTERM or SIGINT drains both and exits when they have.
 */
export function supervise(config: AppConfig): void {
  const logger = createRootLogger(config);
  const entry = fileURLToPath(new URL('./main.js', import.meta.url));
  const children = new Map<string, ChildProcess>();
  const restarts: number[] = [];
  let stopping = false;
  let exitCode = 0;

  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (children.size === 0) process.exit(exitCode);
    for (const child of children.values()) child.kill('SIGTERM');
  };

  const start = (role: (typeof ROLES)[number]) => {
    // The IPC channel lets a child notice when this process is gone (see main.ts).
    const child = fork(entry, [], {
      env: { ...process.env, CCC_ROLE: role },
      stdio: 'inherit',
    });
    children.set(role, child);
    child.once('exit', (code, signal) => {
      children.delete(role);
      if (stopping) {
        if (code !== 0) exitCode = 1;
        if (children.size === 0) process.exit(exitCode);
        return;
      }
      const now = Date.now();
      restarts.push(now);
      while (restarts[0] < now - RESTART_WINDOW_MS) restarts.shift();
      if (restarts.length > RESTART_LIMIT) {
        logger.error({ process: role, code, signal }, 'process keeps exiting: stopping');
        exitCode = 1;
        stop();
        return;
      }
      logger.error({ process: role, code, signal }, 'process exited: restarting');
      setTimeout(() => !stopping && start(role), RESTART_DELAY_MS);
    });
  };

  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (const role of ROLES) start(role);
  logger.info({ processes: [...ROLES] }, 'supervising');
}
