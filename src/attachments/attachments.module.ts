import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { ATTACHMENT_STORE, PgAttachmentStore } from './attachment.store.js';
import { AttachmentsController } from './attachments.controller.js';
import { AttachmentsService } from './attachments.service.js';

/**
 * Evidence attachments; owns `attachments` and `attachment_chunks`. Depends on incidents
 * (the visibility-scoped repository); the incidents repository reads the metadata back
 * through the leaf `attachment-view.ts` only.
 */
@Module({
  imports: [IncidentsModule],
  controllers: [AttachmentsController],
  providers: [AttachmentsService, { provide: ATTACHMENT_STORE, useClass: PgAttachmentStore }],
})
export class AttachmentsModule {}
