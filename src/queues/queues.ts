import type { Job, JobsOptions } from 'bullmq';

// Queue and job names are stored in Redis: renaming one orphans the jobs already queued.
export enum QueueName {
  Notifications = 'notifications',
  Escalations = 'escalations',
  Reports = 'reports',
  Imports = 'imports',
}

export enum JobName {
  /** Deliver one row of `deliveries` (webhook or e-mail). */
  Deliver = 'deliver',
  /** Escalate one dispatch whose acknowledgement deadline passed. */
  Escalate = 'escalate',
  /** Compute one row of `reports`. */
  GenerateReport = 'generate-report',
  /** Fired by the job schedulers; creates the period's report row if it does not exist. */
  ScheduledReport = 'scheduled-report',
  /** Map and file one row of `imports`, item by item. */
  RunImport = 'run-import',
}

// Payloads carry ids only; the state lives in PostgreSQL.
export interface DeliverJob {
  deliveryId: string;
}
export interface EscalateJob {
  dispatchId: string;
  level: number;
}
export interface GenerateReportJob {
  reportId: string;
}
export interface RunImportJob {
  importId: string;
}
export interface ScheduledReportJob {
  kind: 'weekly' | 'monthly';
}

/** Every job: the queue it runs on, its name and its payload. */
export type JobPayload =
  | { queue: QueueName.Notifications; name: JobName.Deliver; data: DeliverJob }
  | { queue: QueueName.Escalations; name: JobName.Escalate; data: EscalateJob }
  | { queue: QueueName.Reports; name: JobName.GenerateReport; data: GenerateReportJob }
  | { queue: QueueName.Reports; name: JobName.ScheduledReport; data: ScheduledReportJob }
  | { queue: QueueName.Imports; name: JobName.RunImport; data: RunImportJob };

/**
 * A job as the processor of queue Q receives it: a union over its job names, so a `switch`
 * on `job.name` types `job.data` (no cast).
 */
export type JobOf<Q extends QueueName> =
  Extract<JobPayload, { queue: Q }> extends infer P
    ? P extends { name: infer N extends string; data: infer D }
      ? Job<D, unknown, N>
      : never
    : never;

/** Deterministic ids make re-enqueueing (sweeper, reconciler) a no-op while the job exists. */
export const jobId = {
  /** One id per scheduled attempt (its next_attempt_at in ms): a retry is a new job. */
  deliver: (deliveryId: string, dueAtMs: number) => `deliver:${deliveryId}:${dueAtMs}`,
  escalate: (dispatchId: string, level: number) => `escalate:${dispatchId}:${level}`,
  /** Report jobs are removed when they finish, so one id per report is enough. */
  report: (reportId: string) => `report:${reportId}:generate`,
  /** Import jobs are removed when they finish, like report jobs. */
  runImport: (importId: string) => `import:${importId}:run`,
};

/** Retries of deliveries are scheduled by the service itself (attempts are recorded in SQL). */
export const JOB_PRESETS = {
  oneShot: {
    attempts: 1,
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 24 * 3600, count: 5000 },
  },
  retried: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 24 * 3600, count: 5000 },
  },
} satisfies Record<string, JobsOptions>;
