import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { ImportRunner } from './import-runner.service.js';
import { ImportsModule } from './imports.module.js';
import { ImportsProcessor } from './imports.processor.js';
import { ImportsPurge } from './imports.purge.js';
import { ImportsReconciler } from './imports.reconciler.js';

/** Running imports, re-driving those without a job, purging old finished ones (roles worker and all). */
@Module({
  imports: [ImportsModule, IncidentsModule],
  providers: [ImportsProcessor, ImportRunner, ImportsReconciler, ImportsPurge],
})
export class ImportsWorkerModule {}
