import { Module } from '@nestjs/common';
import { DispatchesModule } from '../dispatches/dispatches.module.js';
import { RoutingModule } from '../routing/routing.module.js';
import { AcknowledgementsService } from './acknowledgements.service.js';
import { BulkService } from './bulk.service.js';
import { CommentsService } from './comments.service.js';
import { IdempotencyService } from './idempotency.js';
import { IncidentTimelineService } from './incident-timeline.service.js';
import { IncidentsController } from './incidents.controller.js';
import { IncidentsRepository } from './incidents.repository.js';
import { IntakeBatcher } from './intake-batcher.js';
import { IntakeService } from './intake.service.js';
import { PreviewService } from './preview.service.js';
import { RelatedIncidentsService } from './related-incidents.service.js';
import { RevisionService } from './revision.service.js';
import { TransitionsService } from './transitions.service.js';
import { TriageController } from './triage.controller.js';
import { TriageService } from './triage.service.js';

/** Intake, reads, acknowledgements and triage. Exports the visibility-scoped repository. */
@Module({
  imports: [RoutingModule, DispatchesModule],
  controllers: [IncidentsController, TriageController],
  providers: [
    IncidentsRepository,
    IntakeService,
    IntakeBatcher,
    IdempotencyService,
    AcknowledgementsService,
    TriageService,
    TransitionsService,
    BulkService,
    CommentsService,
    IncidentTimelineService,
    RelatedIncidentsService,
    PreviewService,
    RevisionService,
  ],
  // Imports (src/imports) file through intake and update through revisions.
  exports: [IncidentsRepository, IntakeService, RevisionService],
})
export class IncidentsModule {}
