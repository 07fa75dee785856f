import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { RoutingModule } from '../routing/routing.module.js';
import { AcknowledgementsService } from './acknowledgements.service.js';
import { IdempotencyService } from './idempotency.js';
import { IncidentsController } from './incidents.controller.js';
import { IncidentsRepository } from './incidents.repository.js';
import { IntakeService } from './intake.service.js';

/** Intake, reads and acknowledgements. Exports the visibility-scoped repository for triage. */
@Module({
  imports: [RoutingModule, NotificationsModule],
  controllers: [IncidentsController],
  providers: [IncidentsRepository, IntakeService, IdempotencyService, AcknowledgementsService],
  exports: [IncidentsRepository],
})
export class IncidentsModule {}
