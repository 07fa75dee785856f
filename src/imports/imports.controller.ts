import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { LargeBody, rawJsonBytes } from '../common/http-input.js';
import { RequestLocale } from '../common/problem.filter.js';
import { CurrentPrincipal, Principal, Roles } from '../common/principal.js';
import { ParseId } from '../common/validation.js';
import type { Locale } from '../i18n/i18n.js';
import { ImportQuery } from './dto/import-query.dto.js';
import type { ImportBody } from './import-body.js';
import { ImportsService } from './imports.service.js';

/** The helper-thread summariser of import bodies (common/http-input LargeBody). */
export const IMPORT_BODY = new URL('./import-body.js', import.meta.url);

/** Imports of STIX 2.1 and MISP input (contract: Interchange, Imports). */
@ApiTags('interchange')
@ApiBearerAuth()
@Controller('imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post('stix')
  @HttpCode(202)
  @Roles('analyst', 'coordinator')
  @LargeBody(IMPORT_BODY, 'application/json', 'application/stix+json', 'application/taxii+json')
  @ApiConsumes('application/json', 'application/stix+json', 'application/taxii+json')
  @ApiBody({ description: 'A STIX 2.1 bundle, a TAXII envelope or a list of STIX objects' })
  stix(
    @Body() body: ImportBody | undefined,
    @Query() query: ImportQuery,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    return this.imports.create(principal, 'stix', body, query, rawJsonBytes(request));
  }

  @Post('misp')
  @HttpCode(202)
  @Roles('analyst', 'coordinator')
  @LargeBody(IMPORT_BODY, 'application/json')
  @ApiBody({ description: 'A MISP event: {"Event": …}, a bare event, or a search answer' })
  misp(
    @Body() body: ImportBody | undefined,
    @Query() query: ImportQuery,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    return this.imports.create(principal, 'misp', body, query, rawJsonBytes(request));
  }

  @Get(':id')
  get(
    @Param('id', ParseId) id: string,
    @CurrentPrincipal() principal: Principal,
    @RequestLocale() locale: Locale,
  ) {
    return this.imports.get(principal, id, locale);
  }
}
