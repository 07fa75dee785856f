import { Module } from '@nestjs/common';
import { DispatchesService } from './dispatches.service.js';

/**
 * The dispatch lifecycle, the one owner of `dispatches`: intake (creation fragment,
 * acknowledgements, transitions), notifications (delivered) and escalation call it.
 * It depends on nothing but the timeline writer and the shared vocabulary.
 */
@Module({ providers: [DispatchesService], exports: [DispatchesService] })
export class DispatchesModule {}
