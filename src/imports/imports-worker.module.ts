import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { ImportRunner } from './import-runner.service.js';
import { ImportsModule } from './imports.module.js';
import { ImportsProcessor } from './imports.processor.js';
import { ImportsReconciler } from './imports.reconciler.js';

/** Running imports and re-driving those without a job (roles worker and all). */
@Module({
  imports: [ImportsModule, IncidentsModule],
  providers: [ImportsProcessor, ImportRunner, ImportsReconciler],
})
export class ImportsWorkerModule {}
