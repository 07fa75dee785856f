import { Counter, Histogram } from 'prom-client';
import { registry } from '../metrics/metrics.js';

export const escalationsTotal = new Counter({
  name: 'ccc_escalations_total',
  help: 'Dispatches escalated by this process, by the path that fired (job or reconciler sweep)',
  labelNames: ['path'] as const,
  registers: [registry],
});

export const schedulerTickSeconds = new Histogram({
  name: 'ccc_escalation_scheduler_tick_seconds',
  help: 'Duration of one escalation scheduler tick (lease, horizon scan, overdue sweep)',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const schedulerJobsAdded = new Counter({
  name: 'ccc_escalation_jobs_scheduled_total',
  help: 'Delayed escalation jobs handed to BullMQ by the scheduler',
  registers: [registry],
});
