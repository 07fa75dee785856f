import { Module } from '@nestjs/common';
import { DispatchesModule } from '../dispatches/dispatches.module.js';
import { EscalationService } from './escalation.service.js';

/** The escalation step (used by the worker's processor and reconciler). */
@Module({
  imports: [DispatchesModule],
  providers: [EscalationService],
  exports: [EscalationService],
})
export class EscalationModule {}
