import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { dataSourceOptions } from '../database/data-source.js';
import { DispatchesModule } from '../dispatches/dispatches.module.js';
import { DeliveryAttemptsService } from './delivery-attempts.service.js';
import { DeliveryProcessor } from './delivery.processor.js';
import { DeliverySweeper } from './delivery.sweeper.js';
import { EmailSender } from './email.sender.js';
import { NOTIFICATIONS_DB, notificationsPoolSize } from './notifications.db.js';
import { NotificationsModule } from './notifications.module.js';
import { OutboxRelay } from './outbox.relay.js';
import { WebhookSender } from './webhook.sender.js';

/** The relay, the delivery consumer and the sweeper: roles `worker` and `all` only. */
@Module({
  imports: [
    NotificationsModule,
    DispatchesModule,
    TypeOrmModule.forRootAsync({
      name: NOTIFICATIONS_DB,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.databaseUrl, notificationsPoolSize(config.dbPoolSize)),
        name: NOTIFICATIONS_DB,
        // The pipeline's rows can all be rebuilt from the outbox (written synchronously by
        // the change itself), so its commits need not wait for the WAL flush.
        extra: { application_name: 'ccc-notifications', options: '-c synchronous_commit=off' },
      }),
    }),
  ],
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
