/**
 * Group commit for a hot write: calls that arrive while a batch is in flight go together in
 * the next one, so a burst costs a few statements and commits instead of one per call. A
 * lone call is sent at once (no timer, no added latency). `write` must be all or nothing
 * (one statement): when a batch fails, each of its calls is retried alone, so only the
 * failing one sees its error.
 */
export class Batcher<In, Out> {
  private readonly queue: {
    item: In;
    resolve: (out: Out) => void;
    reject: (err: unknown) => void;
  }[] = [];
  private inFlight = 0;

  constructor(
    /** Writes the items and returns one result per item, in order. */
    private readonly write: (items: In[]) => Promise<Out[]>,
    private readonly limits: { maxBatch: number; maxInFlight: number },
  ) {}

  run(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.limits.maxInFlight) {
      const batch = this.queue.splice(0, this.limits.maxBatch);
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async send(batch: Batcher<In, Out>['queue']): Promise<void> {
    try {
      const out = await this.write(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(out[i]));
    } catch (err) {
      if (batch.length === 1) return batch[0].reject(err);
      for (const b of batch) {
        await this.write([b.item]).then(([out]) => b.resolve(out), b.reject);
      }
    }
  }
}
