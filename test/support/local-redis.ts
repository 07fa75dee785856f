import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
    const processes: ChildProcess[] = [];
    const cluster = new LocalRedisCluster(ports, processes, dir);
    try {
      for (let i = 0; i < 3; i++) {
        const node = await redisOnFreePort((port) => [
          ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
          ...['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`],
          ...['--dir', dir, '--maxmemory-policy', 'noeviction'],
        ]);
        ports.push(node.port);
        processes.push(node.child);
      }
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
    await killAll(this.processes);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-p', String(port), ...args]);
  return stdout.trim();
}

async function waitFor(
  read: () => Promise<string>,
  expected: string,
  timeoutMs = 10_000,
): Promise<void> {
  for (let i = 0; i < timeoutMs / 100; i++) {
    const out = await read().catch(() => '');
    if (out.includes(expected)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Redis cluster: never saw ${expected}`);
}

/**
 * A primary, one replica and one Sentinel watching them (quorum 1) on loopback, for
 * failover tests. `failover()` asks the Sentinel to promote the replica and waits until it
 * names the new primary and has demoted the old one.
 */
export class LocalRedisSentinel {
  static readonly NAME = 'ccc-test-primary';

  private constructor(
    readonly primaryPort: number,
    readonly replicaPort: number,
    readonly sentinelPort: number,
    private readonly processes: ChildProcess[],
    private readonly dir: string,
  ) {}

  /** REDIS_URL for the service: the Sentinel. */
  get url(): string {
    return `redis://127.0.0.1:${this.sentinelPort}`;
  }

  static async start(): Promise<LocalRedisSentinel> {
    const dir = mkdtempSync(path.join(tmpdir(), 'ccc-redis-sentinel-'));
    const common = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    const processes: ChildProcess[] = [];
    const started = async (args: (port: number) => string[]) => {
      const node = await redisOnFreePort(args);
      processes.push(node.child);
      return node.port;
    };
    let primary = 0;
    let replica = 0;
    let sentinel = 0;
    try {
      primary = await started((port) => ['--port', String(port), ...common]);
      replica = await started((port) => [
        ...['--port', String(port), ...common],
        ...['--replicaof', '127.0.0.1', String(primary)],
      ]);
      sentinel = await started((port) => {
        const conf = path.join(dir, `sentinel-${port}.conf`);
        writeFileSync(
          conf,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${dir}`,
            `sentinel monitor ${LocalRedisSentinel.NAME} 127.0.0.1 ${primary} 1`,
            `sentinel down-after-milliseconds ${LocalRedisSentinel.NAME} 1000`,
            `sentinel failover-timeout ${LocalRedisSentinel.NAME} 5000`,
          ].join('\n') + '\n',
        );
        return [conf, '--sentinel'];
      });
    } catch (err) {
      await killAll(processes);
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const group = new LocalRedisSentinel(primary, replica, sentinel, processes, dir);
    try {
      await waitFor(() => cli(replica, 'info', 'replication'), 'master_link_status:up');
      await waitFor(
        () => cli(sentinel, 'sentinel', 'replicas', LocalRedisSentinel.NAME),
        `127.0.0.1:${replica}`,
      );
    } catch (err) {
      await group.stop();
      throw err;
    }
    return group;
  }

  /** The port of the primary the Sentinel names now. */
  async currentPrimary(): Promise<number> {
    const out = await cli(
      this.sentinelPort,
      'sentinel',
      'get-master-addr-by-name',
      LocalRedisSentinel.NAME,
    );
    return Number(out.split('\n')[1]);
  }

  async failover(): Promise<void> {
    await cli(this.sentinelPort, 'sentinel', 'failover', LocalRedisSentinel.NAME);
    await waitFor(async () => String(await this.currentPrimary()), String(this.replicaPort));
    await waitFor(() => cli(this.replicaPort, 'role'), 'master');
    // Until the Sentinel demotes it, the old primary still takes writes (lost afterwards);
    // the Sentinel notices at its next INFO of it, within about 10 s.
    await waitFor(() => cli(this.primaryPort, 'role'), 'slave', 30_000);
  }

  async stop(): Promise<void> {
    await killAll(this.processes);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Starts redis-server on a port that was free a moment ago, and proves the port is its own
 * (INFO names the child's pid): another test process may have taken the port in between,
 * in which case the child exits and a new port is tried. (Port 0 would turn TCP off.)
 */
async function redisOnFreePort(
  args: (port: number) => string[],
): Promise<{ port: number; child: ChildProcess }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn('redis-server', args(port), { stdio: 'ignore' });
    const exited = new Promise<'exited'>((resolve) => child.once('exit', () => resolve('exited')));
    const outcome = await Promise.race([
      exited,
      waitFor(() => cli(port, 'info', 'server'), `process_id:${child.pid}\r`).then(() => 'up'),
    ]).catch(() => 'timeout');
    if (outcome === 'up') return { port, child };
    await killAll([child]);
    if (attempt === 5)
      throw new Error(`redis-server did not start (${outcome}), ${attempt} ports tried`);
  }
}

async function killAll(processes: ChildProcess[]): Promise<void> {
  await Promise.all(
    processes.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exitCode !== null || p.signalCode !== null) return resolve();
          p.once('exit', () => resolve());
          p.kill('SIGKILL');
        }),
    ),
  );
}
