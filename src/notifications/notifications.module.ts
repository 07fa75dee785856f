import { Module } from '@nestjs/common';
import { DeliveriesController } from './deliveries.controller.js';
import { DeliveriesService } from './deliveries.service.js';
import { DeliveryQueue } from './delivery.queue.js';
import { OutboxService } from './outbox.service.js';

/**
 * The outbox writer other modules use to emit events, and the deliveries API.
 * No processors here: those live in NotificationsWorkerModule.
 */
@Module({
  controllers: [DeliveriesController],
  providers: [OutboxService, DeliveriesService, DeliveryQueue],
  exports: [OutboxService, DeliveryQueue],
})
export class NotificationsModule {}
