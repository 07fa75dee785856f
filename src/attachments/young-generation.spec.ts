import { constants, PerformanceObserver } from 'node:perf_hooks';
import { bytesBuffered, MINOR_GC_EVERY_BYTES } from './young-generation.js';

describe('bytesBuffered', () => {
  it('asks V8 for a minor collection once every MINOR_GC_EVERY_BYTES, and V8 runs it', async () => {
    const minor: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const { kind } = (entry as unknown as { detail: { kind: number } }).detail;
        if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minor.push(entry.startTime);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    try {
      expect(bytesBuffered(MINOR_GC_EVERY_BYTES - 1)).toBe(false);
      const before = performance.now();
      expect(bytesBuffered(1)).toBe(true);
      expect(bytesBuffered(MINOR_GC_EVERY_BYTES / 2)).toBe(false);
      expect(bytesBuffered(MINOR_GC_EVERY_BYTES / 2)).toBe(true);
      // GC entries are delivered asynchronously.
      for (let i = 0; i < 100 && minor.filter((t) => t >= before).length < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(minor.filter((t) => t >= before).length).toBeGreaterThanOrEqual(2);
    } finally {
      observer.disconnect();
    }
  });
});
