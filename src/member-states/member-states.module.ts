import { Module } from '@nestjs/common';
import { ContactsService } from './contacts.service.js';
import { CoordinationCenterController } from './coordination-center.controller.js';
import { MemberStatesController } from './member-states.controller.js';
import { MemberStatesService } from './member-states.service.js';

/** Member states, their constituencies (what routing matches) and notification contacts. */
@Module({
  controllers: [MemberStatesController, CoordinationCenterController],
  providers: [MemberStatesService, ContactsService],
  exports: [ContactsService],
})
export class MemberStatesModule {}
