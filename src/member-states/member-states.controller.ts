import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { PageQuery } from '../common/pagination.js';
import { CurrentPrincipal, Principal, Roles } from '../common/principal.js';
import { ContactsService } from './contacts.service.js';
import { ReplaceConstituencyDto } from './dto/replace-constituency.dto.js';
import { ReplaceContactsDto } from './dto/replace-contacts.dto.js';
import { MemberStatesService } from './member-states.service.js';
import { parseStateCode } from './state-code.js';

@ApiTags('member-states')
@ApiBearerAuth()
@Controller('member-states')
export class MemberStatesController {
  constructor(
    private readonly states: MemberStatesService,
    private readonly contacts: ContactsService,
  ) {}

  @Get()
  list(@Query() page: PageQuery, @CurrentPrincipal() p: Principal) {
    return this.states.list(p, page.limit, page.cursor);
  }

  @Get(':code')
  get(@Param('code') code: string, @CurrentPrincipal() p: Principal) {
    return this.states.get(p, code);
  }

  @Put(':code/constituency')
  @Roles('admin')
  replaceConstituency(
    @Param('code') code: string,
    @Body() dto: ReplaceConstituencyDto,
    @CurrentPrincipal() p: Principal,
  ) {
    return this.states.replaceConstituency(p, code, dto);
  }

  @Put(':code/contacts')
  @Roles('admin')
  replaceContacts(
    @Param('code') code: string,
    @Body() dto: ReplaceContactsDto,
    @CurrentPrincipal() p: Principal,
  ) {
    return this.contacts.replace(parseStateCode(code), dto, p);
  }
}
