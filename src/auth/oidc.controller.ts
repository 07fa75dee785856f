import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthedRequest, Public } from '../common/principal.js';
import { SESSION_COOKIE, SessionsService } from '../sessions/sessions.service.js';
import { OIDC_COOKIE, OidcService } from './oidc.service.js';

/** Single sign-on: the browser is sent to the provider and comes back to the callback. */
@ApiTags('auth')
@Controller('auth/oidc')
export class OidcController {
  constructor(
    private readonly oidc: OidcService,
    private readonly sessions: SessionsService,
  ) {}

  @Get('login')
  @Public()
  async login(@Res() reply: FastifyReply) {
    const { url, binding } = await this.oidc.start();
    void reply.setCookie(OIDC_COOKIE, binding, {
      ...this.sessions.cookieOptions(600),
      sameSite: 'lax',
      path: '/api/v1/auth/oidc',
    });
    await reply.redirect(url, 302);
  }

  /** Success: the session cookie and a redirect to the console. */
  @Get('callback')
  @Public()
  async callback(
    @Query() query: Record<string, string>,
    @Req() request: AuthedRequest,
    @Res() reply: FastifyReply,
  ) {
    const binding = (request as { cookies?: Record<string, string | undefined> }).cookies?.[
      OIDC_COOKIE
    ];
    const { token } = await this.oidc.finish(query, request.url, binding, request.ip);
    void reply.clearCookie(OIDC_COOKIE, { path: '/api/v1/auth/oidc' });
    void reply.setCookie(SESSION_COOKIE, token, this.sessions.cookieOptions());
    await reply.redirect(this.oidc.consoleUrl, 303);
  }
}
