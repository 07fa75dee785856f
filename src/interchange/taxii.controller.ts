import { msg } from '../i18n/i18n.js';
import { Controller, Delete, Get, Param, Req, Res } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { BasicAuthAllowed } from '../sessions/session-routes.js';
import { OBJECT_PARAMS, OBJECTS_PARAMS, parseTaxiiQuery, VERSIONS_PARAMS } from './taxii-query.js';
import { TaxiiPage, TaxiiService } from './taxii.service.js';

/**
 * The raw query: TAXII parameters (`match[type]`, repeated ones) are read by
 * parseTaxiiQuery, which ignores what it does not know, as TAXII wants; a DTO would refuse.
 */
function queryOf(request: FastifyRequest): Record<string, unknown> {
  return (request.query ?? {}) as Record<string, unknown>;
}

/** X-TAXII-Date-Added-First/Last of a page (none on an empty one), then its body. */
function paged<T>(reply: FastifyReply, page: TaxiiPage<T>): T {
  if (page.first && page.last) {
    void reply.header('X-TAXII-Date-Added-First', page.first);
    void reply.header('X-TAXII-Date-Added-Last', page.last);
  }
  return page.body;
}

/**
 * The TAXII 2.1 server, read side (contract: Interchange; INTEROP 1.1). Paths end in `/`
 * for clients; both forms are served (taxii-http.ts). Media types, errors and `Accept` are
 * handled for the whole `/taxii2/` tree in taxii-http.ts.
 */
@ApiExcludeController()
@ApiBearerAuth()
@ApiBasicAuth()
@BasicAuthAllowed()
@Controller('taxii2')
export class TaxiiController {
  constructor(private readonly taxii: TaxiiService) {}

  @Get()
  discovery(@Req() request: FastifyRequest) {
    return this.taxii.discovery(`${request.protocol}://${request.headers.host ?? 'localhost'}`);
  }

  @Get('ccc')
  apiRoot() {
    return this.taxii.apiRoot();
  }

  @Get('ccc/collections')
  collections(@CurrentPrincipal() principal: Principal) {
    return this.taxii.collections(principal);
  }

  @Get('ccc/collections/:collection')
  collection(@Param('collection') id: string, @CurrentPrincipal() principal: Principal) {
    return this.taxii.collection(principal, id);
  }

  @Get('ccc/collections/:collection/objects')
  async objects(
    @Param('collection') id: string,
    @Req() request: FastifyRequest,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const filter = parseTaxiiQuery(queryOf(request), OBJECTS_PARAMS);
    return paged(reply, await this.taxii.objects(principal, id, filter));
  }

  @Get('ccc/collections/:collection/manifest')
  async manifest(
    @Param('collection') id: string,
    @Req() request: FastifyRequest,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const filter = parseTaxiiQuery(queryOf(request), OBJECTS_PARAMS);
    return paged(reply, await this.taxii.manifest(principal, id, filter));
  }

  @Get('ccc/collections/:collection/objects/:object')
  async object(
    @Param('collection') id: string,
    @Param('object') objectId: string,
    @Req() request: FastifyRequest,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const filter = parseTaxiiQuery(queryOf(request), OBJECT_PARAMS);
    return paged(reply, await this.taxii.object(principal, id, objectId, filter));
  }

  @Get('ccc/collections/:collection/objects/:object/versions')
  async versions(
    @Param('collection') id: string,
    @Param('object') objectId: string,
    @Req() request: FastifyRequest,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const filter = parseTaxiiQuery(queryOf(request), VERSIONS_PARAMS);
    return paged(reply, await this.taxii.versions(principal, id, objectId, filter));
  }

  /** Collections are read-only here (INTEROP T-DEL-1): 403 once the caller may read one. */
  @Delete('ccc/collections/:collection/objects/:object')
  remove(@Param('collection') id: string, @CurrentPrincipal() principal: Principal): never {
    this.taxii.collection(principal, id);
    throw Problem.forbidden(msg('problem.forbidden.taxiiDelete'));
  }
}
