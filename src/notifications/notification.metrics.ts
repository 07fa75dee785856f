import { Counter, Histogram } from 'prom-client';
import { registry } from '../metrics/metrics.js';

export const deliveryOutcomes = new Counter({
  name: 'ccc_delivery_attempts_total',
  help: 'Delivery attempts by event, channel and outcome (delivered, retry, failed = dead-lettered)',
  labelNames: ['event', 'channel', 'outcome'] as const,
  registers: [registry],
});

export const deliveryLatency = new Histogram({
  name: 'ccc_delivery_latency_seconds',
  help: 'From the event being written to the outbox to its successful delivery',
  labelNames: ['event', 'channel'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [registry],
});
