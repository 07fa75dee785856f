import {
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiConsumes, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PageQuery } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { CurrentPrincipal, Principal, Roles } from '../common/principal.js';
import { ParseId } from '../common/validation.js';
import { AttachmentsService } from './attachments.service.js';
import { MULTIPART_ROUTE } from './multipart.js';
import { msg } from '../i18n/i18n.js';

/** Evidence files of an incident (contract: Attachments). */
@ApiTags('attachments')
@ApiBearerAuth()
@Controller('incidents/:id/attachments')
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  @Post()
  @Roles('analyst', 'coordinator')
  @RouteConfig(MULTIPART_ROUTE)
  @ApiConsumes('multipart/form-data')
  async upload(
    @Param('id', ParseId) id: string,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    if (!request.isMultipart()) throw notMultipart();
    try {
      return await this.attachments.upload(principal, id, request.parts());
    } catch (err) {
      discardRestOfBody(request);
      throw err;
    }
  }

  @Get()
  list(
    @Param('id', ParseId) id: string,
    @Query() query: PageQuery,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.attachments.list(principal, id, query);
  }

  @Get(':aid')
  get(
    @Param('id', ParseId) id: string,
    @Param('aid', ParseId) aid: string,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.attachments.get(principal, id, aid);
  }

  @Get(':aid/content')
  @ApiQuery({ name: 'as', required: false, enum: ['zip'] })
  async content(
    @Param('id', ParseId) id: string,
    @Param('aid', ParseId) aid: string,
    @Query('as') as: string | undefined,
    @Headers('range') range: string | undefined,
    @Headers('if-range') ifRange: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const download = await this.attachments.content(principal, id, aid, {
      as,
      range,
      ifRange,
      // Fastify answers HEAD with this GET route: no bytes leave, so nothing is recorded.
      head: request.method === 'HEAD',
    });
    void reply.status(download.status).headers(download.headers);
    return reply.send(download.body ?? '');
  }

  @Delete(':aid')
  @Roles('coordinator')
  @HttpCode(204)
  async delete(
    @Param('id', ParseId) id: string,
    @Param('aid', ParseId) aid: string,
    @CurrentPrincipal() principal: Principal,
  ) {
    await this.attachments.delete(principal, id, aid);
  }
}

function notMultipart(): Problem {
  return new Problem(
    415,
    'http-415',
    msg('input.mediaType', { count: 1, allowed: 'multipart/form-data' }),
  );
}

/** How long the rest of a refused upload is read and discarded before the socket is cut. */
const LINGER_MS = 5_000;

/**
 * A refused upload may still be arriving: stop parsing it and discard the rest, so the
 * answer (413, 400, 404…) reaches the client (closing at once could reset the connection
 * before the client reads it). A client still sending after LINGER_MS is cut off, so it can
 * hold neither the connection nor a graceful shutdown.
 */
function discardRestOfBody(request: FastifyRequest): void {
  const raw = request.raw;
  if (raw.readableEnded || raw.destroyed) return;
  raw.unpipe();
  raw.resume();
  const timer = setTimeout(() => raw.socket?.destroy(), LINGER_MS);
  timer.unref();
  raw.once('end', () => clearTimeout(timer));
  raw.once('close', () => clearTimeout(timer));
}
