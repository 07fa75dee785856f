import { parentPort } from 'node:worker_threads';

/** The helper thread of thread.ts: runs one exported function per message, in order. */
let queue = Promise.resolve();
parentPort!.on('message', (m: { id: number; module: string; name: string; args: unknown[] }) => {
  queue = queue.then(async () => {
    try {
      const mod = (await import(m.module)) as Record<string, (...a: unknown[]) => unknown>;
      const value = await mod[m.name](...m.args);
      parentPort!.postMessage({ id: m.id, ok: true, value });
    } catch (err) {
      parentPort!.postMessage({ id: m.id, ok: false, error: (err as Error).message });
    }
  });
});
