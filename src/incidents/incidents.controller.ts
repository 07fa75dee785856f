import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { KeyCheckedOnWrite } from '../common/key-check.interceptor.js';
import { CurrentPrincipal, Principal, Roles } from '../common/principal.js';
import { ParseId } from '../common/validation.js';
import { AcknowledgementsService } from './acknowledgements.service.js';
import { CreateIncidentDto } from './dto/create-incident.dto.js';
import { ListIncidentsQuery } from './dto/list-incidents.query.js';
import { IdempotencyKey, type IdempotencyRequest, respond } from './idempotency.js';
import { IncidentsRepository } from './incidents.repository.js';
import { IntakeService } from './intake.service.js';
import { PreviewQuery } from './dto/preview-query.dto.js';
import { PreviewService } from './preview.service.js';

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents')
export class IncidentsController {
  constructor(
    private readonly intake: IntakeService,
    private readonly incidents: IncidentsRepository,
    private readonly acknowledgements: AcknowledgementsService,
    private readonly previews: PreviewService,
  ) {}

  /** What each member state would receive if this were filed; files and writes nothing. */
  @Post('preview')
  @Roles('analyst', 'coordinator')
  @HttpCode(200)
  preview(@Body() dto: CreateIncidentDto, @CurrentPrincipal() principal: Principal) {
    return this.previews.beforeFiling(principal, dto);
  }

  @Get(':id/preview')
  @Roles('analyst', 'coordinator')
  previewFiled(
    @Param('id', ParseId) id: string,
    @Query() query: PreviewQuery,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.previews.filed(principal, id, query.state);
  }

  @Post()
  @Roles('analyst', 'coordinator')
  @KeyCheckedOnWrite()
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '≤ 255 characters, 24 h' })
  async create(
    @Body() dto: CreateIncidentDto,
    @CurrentPrincipal() principal: Principal,
    @IdempotencyKey() idempotency: IdempotencyRequest | null,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return respond(reply, await this.intake.create(principal, dto, idempotency));
  }

  @Get()
  list(@Query() query: ListIncidentsQuery, @CurrentPrincipal() principal: Principal) {
    return this.incidents.list(principal, query);
  }

  @Get(':id')
  get(@Param('id', ParseId) id: string, @CurrentPrincipal() principal: Principal) {
    return this.incidents.findVisibleOrThrow(principal, id);
  }

  @Post(':id/acknowledgements')
  @Roles('analyst')
  @HttpCode(200)
  acknowledge(@Param('id', ParseId) id: string, @CurrentPrincipal() principal: Principal) {
    return this.acknowledgements.acknowledge(principal, id);
  }
}
