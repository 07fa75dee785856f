import { Module } from '@nestjs/common';
import { IdempotencyPurge } from './idempotency.purge.js';

/** The incidents' background work: roles `worker` and `all` only. */
@Module({ providers: [IdempotencyPurge] })
export class IncidentsWorkerModule {}
