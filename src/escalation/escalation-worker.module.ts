import { Module } from '@nestjs/common';
import { EscalationJobs } from './escalation-jobs.js';
import { EscalationModule } from './escalation.module.js';
import { EscalationProcessor } from './escalation.processor.js';
import { EscalationScheduler } from './escalation.scheduler.js';

/** The escalation queue consumer and its scheduler/reconciler loop (worker and all roles). */
@Module({
  imports: [EscalationModule],
  providers: [EscalationJobs, EscalationProcessor, EscalationScheduler],
})
export class EscalationWorkerModule {}
