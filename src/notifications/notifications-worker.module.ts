import { Module } from '@nestjs/common';
import { DeliveryAttemptsService } from './delivery-attempts.service.js';
import { DeliveryProcessor } from './delivery.processor.js';
import { DeliverySweeper } from './delivery.sweeper.js';
import { EmailSender } from './email.sender.js';
import { NotificationsModule } from './notifications.module.js';
import { OutboxRelay } from './outbox.relay.js';
import { WebhookSender } from './webhook.sender.js';

/** The relay, the delivery consumer and the sweeper: roles `worker` and `all` only. */
@Module({
  imports: [NotificationsModule],
  providers: [
    OutboxRelay,
    DeliverySweeper,
    DeliveryProcessor,
    DeliveryAttemptsService,
    WebhookSender,
    EmailSender,
  ],
})
export class NotificationsWorkerModule {}
