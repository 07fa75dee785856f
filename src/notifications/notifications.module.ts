import { Module } from '@nestjs/common';
import { OutboxService } from './outbox.service.js';

/** Services other modules use to emit events (the outbox). */
@Module({ providers: [OutboxService], exports: [OutboxService] })
export class NotificationsModule {}
