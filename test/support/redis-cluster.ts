import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './service.js';

const run = promisify(execFile);

/**
 * A real three-master Redis Cluster on loopback, from the machine's `redis-server` and
 * `redis-cli`, nothing kept on disk beyond a temporary folder removed by `stop()`.
 */
export class LocalRedisCluster {
  private constructor(
    readonly ports: number[],
    private readonly processes: ChildProcess[],
    private readonly dir: string,
  ) {}

  /** Seed URLs for REDIS_URL (comma-separated). */
  get url(): string {
    return this.ports.map((p) => `redis://127.0.0.1:${p}`).join(',');
  }

  static async start(): Promise<LocalRedisCluster> {
    const dir = mkdtempSync(path.join(tmpdir(), 'ccc-redis-cluster-'));
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) ports.push(await freePort());
    const processes = ports.map((port) =>
      spawn(
        'redis-server',
        [
          ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
          ...['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`],
          ...['--dir', dir, '--maxmemory-policy', 'noeviction'],
        ],
        { stdio: 'ignore' },
      ),
    );
    const cluster = new LocalRedisCluster(ports, processes, dir);
    try {
      for (const port of ports) await waitFor(() => cli(port, 'ping'), 'PONG');
      await run('redis-cli', [
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ]);
      for (const port of ports) {
        await waitFor(() => cli(port, 'cluster', 'info'), 'cluster_state:ok');
      }
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** The node that serves the slot of `key`, and the keys it holds matching `pattern`. */
  async keysOnOwner(key: string, pattern: string): Promise<{ port: number; keys: string[] }> {
    const slot = Number(await cli(this.ports[0], 'cluster', 'keyslot', key));
    for (const port of this.ports) {
      if (Number(await cli(port, 'cluster', 'countkeysinslot', String(slot))) > 0) {
        const keys = (await cli(port, '--scan', '--pattern', pattern)).split('\n').filter(Boolean);
        return { port, keys };
      }
    }
    return { port: -1, keys: [] };
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.processes.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGKILL');
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-p', String(port), ...args]);
  return stdout.trim();
}

async function waitFor(read: () => Promise<string>, expected: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const out = await read().catch(() => '');
    if (out.includes(expected)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Redis cluster: never saw ${expected}`);
}
