import { Controller, Get, Headers, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal } from '../common/principal.js';
import { EventHub } from './event-hub.service.js';

@ApiTags('events')
@ApiBearerAuth()
@Controller('events')
export class EventsController {
  constructor(private readonly hub: EventHub) {}

  /** Server-sent events, ids only, each about something the caller may see. */
  @Get()
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'resume after this event' })
  @ApiOkResponse({ description: '`text/event-stream`', content: { 'text/event-stream': {} } })
  async stream(
    @CurrentPrincipal() principal: Principal,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    this.hub.admit(principal);
    // An id this instance does not hold (too old, or never issued) answers `reset`.
    const resumeFrom = lastEventId?.trim().slice(0, 40) || undefined;
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      // The socket goes with the stream: an idle keep-alive socket would hold up a drain.
      connection: 'close',
      'x-request-id': request.id,
    });
    let closed = false;
    const unsubscribe = await this.hub.subscribe(
      {
        principal,
        write: (chunk) => {
          if (!closed && !raw.destroyed && !raw.writableEnded) raw.write(chunk);
        },
        end: () => {
          closed = true;
          raw.end();
          // The socket goes too: a half-closed peer must not hold up the drain.
          raw.socket?.destroy();
        },
      },
      resumeFrom,
    );
    // Headers leave with the first write: a client that sees the stream open is subscribed.
    if (!raw.writableEnded) raw.write('retry: 3000\n\n');
    const done = () => {
      closed = true;
      unsubscribe();
    };
    if (raw.destroyed || request.raw.destroyed) done();
    else {
      raw.on('close', done);
      request.raw.on('close', done);
    }
  }
}
