import { Module } from '@nestjs/common';
import { ReportQueue } from './report-queue.js';
import { ReportsController } from './reports.controller.js';
import { ReportsService } from './reports.service.js';

/** Ordering and reading reports (every role). */
@Module({
  controllers: [ReportsController],
  providers: [ReportsService, ReportQueue],
  exports: [ReportQueue],
})
export class ReportsModule {}
