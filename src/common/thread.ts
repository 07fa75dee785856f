import { Worker } from 'node:worker_threads';

/** The heap a task may use: a 32 MiB JSON document parses into a few hundred MB. */
const THREAD_HEAP_MB = 512;
/**
 * An idle thread is stopped after this long and its memory returned; a new one loads the
 * mapping and compiles the STIX schemas again (about a second of CPU).
 */
const IDLE_MS = 300_000;

interface Task {
  id: number;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/** The task's thread ran out of memory or died: the input was too large to handle. */
export class ThreadFailed extends Error {}

let worker: Worker | null = null;
let nextId = 1;
const running = new Map<number, Task>();
let idle: NodeJS.Timeout | undefined;

function thread(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./thread.worker.js', import.meta.url), {
    resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB },
  });
  // Never what keeps the process alive (nor what holds up its drain on SIGTERM).
  w.unref();
  w.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: string }) => {
    const task = running.get(m.id);
    if (!task) return;
    running.delete(m.id);
    if (running.size === 0) {
      idle = setTimeout(() => {
        if (worker === w && running.size === 0) {
          worker = null;
          void w.terminate();
        }
      }, IDLE_MS).unref();
    }
    if (m.ok) task.resolve(m.value);
    else task.reject(new Error(m.error));
  });
  const fail = (err: Error) => {
    if (worker === w) worker = null;
    for (const task of running.values()) task.reject(new ThreadFailed(err.message));
    running.clear();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`thread exited with code ${code}`)));
  worker = w;
  return w;
}

/**
 * Runs `name(...args)` exported by the module at `moduleUrl` in this process's one helper
 * thread, so work on megabytes of input (parsing and mapping a 32 MiB import) neither blocks
 * the event loop nor lands on its heap: only the (small) result comes back. Tasks run one at
 * a time, in order. Arguments and result are copied (structured clone). A task whose thread
 * dies (out of memory) rejects with ThreadFailed; the next task gets a fresh thread. A
 * thread idle for IDLE_MS is stopped, so the memory of a large import is given back.
 */
export function runInThread<T>(moduleUrl: URL, name: string, args: unknown[]): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    clearTimeout(idle);
    running.set(id, { id, resolve: resolve as (value: unknown) => void, reject });
    thread().postMessage({ id, module: moduleUrl.href, name, args });
  });
}
