import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Principal } from '../common/principal.js';
import { ParseId } from '../common/validation.js';
import { ExportQuery } from './dto/export-query.dto.js';
import { ExportService, STIX_MEDIA_TYPE } from './export.service.js';

/** One incident as a STIX 2.1 bundle or a MISP event (contract: Interchange, Exports). */
@ApiTags('interchange')
@ApiBearerAuth()
@Controller('incidents/:id/export')
export class ExportController {
  constructor(private readonly exports: ExportService) {}

  @Get()
  @ApiProduces(STIX_MEDIA_TYPE, 'application/json')
  async export(
    @Param('id', ParseId) id: string,
    @Query() query: ExportQuery,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const doc = await this.exports.export(principal, id, query.format);
    void reply
      .header('content-type', doc.contentType)
      .header('content-disposition', `attachment; filename="${doc.filename}"`);
    // A Buffer: Fastify leaves its media type as set (for a string it would quote `version`
    // and add a charset, which TAXII and STIX clients refuse; INTEROP T-STIX-6).
    return Buffer.from(doc.body);
  }
}
