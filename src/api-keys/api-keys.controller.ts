import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ParseId } from '../common/validation.js';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { PageQuery } from '../common/pagination.js';
import { CurrentPrincipal, Principal, Roles } from '../common/principal.js';
import { ApiKeysService } from './api-keys.service.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';

@ApiTags('api-keys')
@ApiBearerAuth()
@Roles('admin')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  create(@Body() dto: CreateApiKeyDto, @CurrentPrincipal() actor: Principal) {
    return this.apiKeys.create(dto, actor);
  }

  @Get()
  list(@Query() page: PageQuery) {
    return this.apiKeys.list(page.limit, page.cursor);
  }

  @Delete(':id')
  @HttpCode(204)
  revoke(@Param('id', ParseId) id: string, @CurrentPrincipal() actor: Principal) {
    return this.apiKeys.revoke(id, actor);
  }
}
