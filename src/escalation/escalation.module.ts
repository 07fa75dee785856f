import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { EscalationService } from './escalation.service.js';

/** Services other modules call (triage: recomputeDeadlines after a severity change). */
@Module({
  imports: [NotificationsModule],
  providers: [EscalationService],
  exports: [EscalationService],
})
export class EscalationModule {}
