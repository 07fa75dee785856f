import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { CurrentPrincipal, Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { BasicAuthAllowed } from '../sessions/session-routes.js';
import { FEED_AUDIENCES, FeedAudience, MispFeedService } from './misp-feed.service.js';

const EVENT_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json$/;

/** `If-None-Match` names this tag (a list, weak tags and `*` included). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
}

/**
 * MISP feeds (contract: Interchange, Exports; INTEROP 1.4): point a MISP instance's feed
 * (type "MISP Feed") at `${CCC_PUBLIC_URL}/feeds/misp/community/` with the header
 * `Authorization: Bearer <api key>`.
 */
@ApiTags('interchange')
@ApiBearerAuth()
@BasicAuthAllowed()
@Controller('feeds/misp')
export class MispFeedController {
  constructor(private readonly feeds: MispFeedService) {}

  @Get(':audience/:file')
  async file(
    @Param('audience') audience: string,
    @Param('file') file: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res() reply: FastifyReply,
  ) {
    if (!(FEED_AUDIENCES as readonly string[]).includes(audience)) {
      throw Problem.notFound('resource');
    }
    const feed = audience as FeedAudience;
    if (file === 'manifest.json') {
      const etag = await this.feeds.etag(principal, feed);
      void reply.header('etag', etag).header('cache-control', 'private, no-cache');
      if (matches(ifNoneMatch, etag)) return reply.status(304).send();
      void reply.type('application/json; charset=utf-8');
      return reply.send(Readable.from(this.feeds.manifest(principal, feed)));
    }
    if (file === 'hashes.csv') {
      void reply.type('text/csv; charset=utf-8');
      return reply.send(Readable.from(this.feeds.hashes(principal, feed)));
    }
    const event = EVENT_FILE.exec(file);
    if (!event) throw Problem.notFound('resource');
    return reply.send(await this.feeds.event(principal, feed, event[1]));
  }
}
