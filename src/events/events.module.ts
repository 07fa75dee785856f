import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { EventHub } from './event-hub.service.js';
import { EventsController } from './events.controller.js';

/** `GET /api/v1/events`: live events for consoles and tools (API roles only). */
@Module({
  imports: [IncidentsModule],
  controllers: [EventsController],
  providers: [EventHub],
})
export class EventsModule {}
