import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { ReportGenerator } from './report-generator.service.js';
import { ReportSchedules } from './report-schedules.service.js';
import { ReportsModule } from './reports.module.js';
import { ReportsProcessor } from './reports.processor.js';
import { ReportsReconciler } from './reports.reconciler.js';

/** Generation, schedules and the reconciler (roles worker and all). */
@Module({
  imports: [ReportsModule, NotificationsModule],
  providers: [ReportsProcessor, ReportGenerator, ReportSchedules, ReportsReconciler],
})
export class ReportsWorkerModule {}
