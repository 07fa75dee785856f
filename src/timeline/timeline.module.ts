import { Global, Module } from '@nestjs/common';
import { TimelineService } from './timeline.service.js';

/** Global: intake, triage, notifications and escalation all record incident events. */
@Global()
@Module({ providers: [TimelineService], exports: [TimelineService] })
export class TimelineModule {}
