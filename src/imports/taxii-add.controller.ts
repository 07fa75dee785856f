import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBasicAuth, ApiBearerAuth, ApiExcludeController } from '@nestjs/swagger';
import { LargeBody, rawJsonBytes } from '../common/http-input.js';
import { RequestLocale } from '../common/problem.filter.js';
import { Problem } from '../common/problem.js';
import { CurrentPrincipal, Principal } from '../common/principal.js';
import { type Locale, msg } from '../i18n/i18n.js';
import { canRead, canWrite, COLLECTIONS, stateOf } from '../interchange/taxii-collections.js';
import { BasicAuthAllowed } from '../sessions/session-routes.js';
import { ImportsService } from './imports.service.js';
import type { ImportBody } from './import-body.js';
import { IMPORT_BODY } from './imports.controller.js';

/**
 * TAXII 2.1 add objects (§5.5) and status (§4.3) on the import code: objects added to
 * `state-XX` are imported as filed by XX (contract: Interchange). Media types, TAXII error
 * bodies and `Accept` are the /taxii2/ tree's rules (interchange/taxii-http.ts).
 */
@ApiExcludeController()
@ApiBearerAuth()
@ApiBasicAuth()
@BasicAuthAllowed()
@Controller('taxii2/ccc')
export class TaxiiAddController {
  constructor(private readonly imports: ImportsService) {}

  /**
   * 202 with the status resource. A collection the caller may not read answers as the read
   * side does (404); a readable one it may not write, 403; a body that is not an envelope,
   * 422; over CCC_IMPORT_MAX_BYTES, 413; another media type, 415.
   */
  @Post('collections/:collection/objects')
  @HttpCode(202)
  @LargeBody(IMPORT_BODY, 'application/taxii+json')
  async add(
    @Param('collection') id: string,
    @Body() body: ImportBody | undefined,
    @CurrentPrincipal() principal: Principal,
    @RequestLocale() locale: Locale,
    @Req() request: FastifyRequest,
  ) {
    const collection = COLLECTIONS.find((c) => c.id === id);
    if (!collection || !canRead(principal, collection)) throw Problem.notFound('resource');
    const state = stateOf(collection);
    if (!state || !canWrite(principal, collection)) {
      throw Problem.forbidden(msg('problem.forbidden.taxiiWrite'));
    }
    if (!body?.stix || body.list) {
      throw new Problem(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'unprocessable',
        msg('problem.unprocessable.taxiiEnvelope'),
      );
    }
    const created = await this.imports.create(
      principal,
      'taxii',
      body,
      { reportingState: state },
      rawJsonBytes(request),
    );
    return this.imports.taxiiStatus(principal, created.id, locale);
  }

  /** The status of an add-objects request, kept as long as the import (at least 24 h). */
  @Get('status/:id')
  async status(
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
    @RequestLocale() locale: Locale,
  ) {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
    const status = uuid ? await this.imports.taxiiStatus(principal, id, locale) : null;
    if (!status) throw Problem.notFound('resource');
    return status;
  }
}
