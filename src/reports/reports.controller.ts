import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../common/principal.js';
import { ParseId } from '../common/validation.js';
import { CreateReportDto } from './dto/create-report.dto.js';
import { ListReportsQuery, ReportFormatQuery } from './dto/report-query.dto.js';
import { ReportDocument, ReportsService } from './reports.service.js';

/**
 * Serves a rendered document with its own media type, as a Buffer: Fastify would rewrite
 * `application/stix+json;version=2.1` for a string (quoted version, added charset).
 */
function send(reply: FastifyReply, doc: ReportDocument): Buffer {
  void reply.header('content-type', doc.contentType);
  if (doc.language) void reply.header('content-language', doc.language);
  for (const [name, value] of Object.entries(doc.headers ?? {})) void reply.header(name, value);
  return Buffer.from(doc.body);
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Post()
  @HttpCode(202)
  @Roles('coordinator', 'admin')
  create(@Body() dto: CreateReportDto, @CurrentPrincipal() actor: Principal) {
    return this.reports.create(dto, actor);
  }

  @Get()
  list(@Query() query: ListReportsQuery) {
    return this.reports.list(query);
  }

  @Get(':id')
  @ApiProduces('application/json', 'text/markdown', 'application/stix+json', 'text/html')
  async get(
    @Param('id', ParseId) id: string,
    @Query() query: ReportFormatQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return query.format
      ? send(reply, await this.reports.document(id, query.format, query.lang))
      : this.reports.get(id);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @Roles('coordinator', 'admin')
  retry(@Param('id', ParseId) id: string, @CurrentPrincipal() actor: Principal) {
    return this.reports.retry(id, actor);
  }
}
