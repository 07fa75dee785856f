import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { PageQuery } from '../common/pagination.js';
import { CurrentPrincipal, Principal, Roles } from '../common/principal.js';
import { ParseId } from '../common/validation.js';
import { BulkService } from './bulk.service.js';
import { CommentsService } from './comments.service.js';
import { BulkDto } from './dto/bulk.dto.js';
import { CreateCommentDto } from './dto/create-comment.dto.js';
import { TransitionDto } from './dto/transition.dto.js';
import { UpdateIncidentDto } from './dto/update-incident.dto.js';
import { IncidentTimelineService } from './incident-timeline.service.js';
import { RelatedIncidentsService } from './related-incidents.service.js';
import { TransitionsService } from './transitions.service.js';
import { TriageService } from './triage.service.js';
import { RequestLocale } from '../common/problem.filter.js';
import type { Locale } from '../i18n/i18n.js';

/** The coordinators' triage workflow and what everyone who sees an incident may add or read. */
@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents')
export class TriageController {
  constructor(
    private readonly triage: TriageService,
    private readonly transitions: TransitionsService,
    private readonly comments: CommentsService,
    private readonly timeline: IncidentTimelineService,
    private readonly related: RelatedIncidentsService,
    private readonly bulk: BulkService,
  ) {}

  @Post('bulk')
  @Roles('coordinator')
  @HttpCode(200)
  applyBulk(
    @Body() dto: BulkDto,
    @CurrentPrincipal() principal: Principal,
    @RequestLocale() locale: Locale,
  ) {
    return this.bulk.apply(principal, dto, locale);
  }

  @Patch(':id')
  @Roles('coordinator')
  update(
    @Param('id', ParseId) id: string,
    @Body() dto: UpdateIncidentDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.triage.update(principal, id, dto);
  }

  @Post(':id/transitions')
  @Roles('coordinator')
  @HttpCode(200)
  transition(
    @Param('id', ParseId) id: string,
    @Body() dto: TransitionDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.transitions.transition(principal, id, dto);
  }

  @Post(':id/comments')
  comment(
    @Param('id', ParseId) id: string,
    @Body() dto: CreateCommentDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.comments.add(principal, id, dto);
  }

  @Get(':id/timeline')
  listTimeline(
    @Param('id', ParseId) id: string,
    @Query() query: PageQuery,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.timeline.list(principal, id, query);
  }

  @Get(':id/related')
  listRelated(
    @Param('id', ParseId) id: string,
    @Query() query: PageQuery,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.related.list(principal, id, query);
  }
}
