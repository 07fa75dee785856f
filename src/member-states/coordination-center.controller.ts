import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CCC_PARTY } from '../vocabulary/member-states.js';
import { CurrentPrincipal, Principal, Roles } from '../common/principal.js';
import { ContactsService } from './contacts.service.js';
import { ReplaceContactsDto } from './dto/replace-contacts.dto.js';

@ApiTags('member-states')
@ApiBearerAuth()
@Controller('coordination-center')
export class CoordinationCenterController {
  constructor(private readonly contacts: ContactsService) {}

  @Get('contacts')
  @Roles('coordinator', 'admin')
  list() {
    return this.contacts.list(CCC_PARTY);
  }

  @Put('contacts')
  @Roles('admin')
  replace(@Body() dto: ReplaceContactsDto, @CurrentPrincipal() p: Principal) {
    return this.contacts.replace(CCC_PARTY, dto, p);
  }
}
