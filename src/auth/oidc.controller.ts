import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
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
  @ApiOperation({
    summary: 'Single sign-on: redirects to the OpenID provider (CCC_OIDC_ISSUER)',
    description:
      'Authorization code flow with PKCE (S256), state and nonce. Sets the short-lived ccc_oidc cookie binding the attempt to this browser.',
  })
  @ApiResponse({ status: 302, description: 'To the provider' })
  @ApiResponse({ status: 404, description: 'Single sign-on is not configured' })
  @ApiResponse({ status: 503, description: 'The provider cannot be reached' })
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
  @ApiOperation({
    summary: 'Single sign-on: where the provider sends the browser back',
    description:
      'Creates or updates the user from the roles claim (CCC_OIDC_ROLES_CLAIM: admin, coordinator, analyst:<state>) and starts a session.',
  })
  @ApiQuery({ name: 'code', required: false })
  @ApiQuery({ name: 'state', required: true })
  @ApiResponse({ status: 303, description: 'Signed in: the ccc_session cookie, to /console/' })
  @ApiResponse({ status: 400, description: '/problems/sso-state: unknown, used or foreign state' })
  @ApiResponse({ status: 401, description: '/problems/sso-failed: the provider did not confirm' })
  @ApiResponse({ status: 403, description: '/problems/no-admissible-role, or a disabled user' })
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
