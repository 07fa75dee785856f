import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiCookieAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthedRequest, CurrentPrincipal, Principal, Public } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import {
  AnnouncesSignInOptions,
  EnrolmentAllowed,
  SessionOnly,
} from '../sessions/session-routes.js';
import { SESSION_COOKIE } from '../sessions/sessions.service.js';
import { ActivateDto, ChangePasswordDto, LoginDto, TotpConfirmDto } from './dto/auth.dto.js';
import { AuthService } from './auth.service.js';

/** People signing in: activation, password sign-in, the session, the second factor. */
@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('activate')
  @Public()
  @HttpCode(204)
  activate(@Body() dto: ActivateDto) {
    return this.auth.activate(dto);
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  async login(
    @Body() dto: LoginDto,
    @Req() request: AuthedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { token, ...answer } = await this.auth.login(dto, request.ip);
    void reply.setCookie(SESSION_COOKIE, token, this.auth.cookieOptions());
    return answer;
  }

  @Get('me')
  @ApiCookieAuth()
  @SessionOnly()
  @EnrolmentAllowed()
  @AnnouncesSignInOptions()
  @ApiResponse({
    status: 401,
    description:
      'No session: the problem also says how people may sign in here, `singleSignOn: true` when single sign-on is configured',
  })
  me(@Req() request: AuthedRequest) {
    return this.auth.me(request.principal!, request.sessionId!);
  }

  @Post('logout')
  @ApiCookieAuth()
  @SessionOnly()
  @EnrolmentAllowed()
  @HttpCode(204)
  async logout(@Req() request: AuthedRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.auth.logout(request.principal!, request.sessionId!);
    void reply.clearCookie(SESSION_COOKIE, this.auth.cookieOptions());
  }

  @Post('totp')
  @ApiCookieAuth()
  @SessionOnly()
  @EnrolmentAllowed()
  @HttpCode(200)
  beginTotp(@CurrentPrincipal() principal: Principal) {
    return this.auth.beginTotp(principal);
  }

  @Post('totp/confirm')
  @ApiCookieAuth()
  @SessionOnly()
  @EnrolmentAllowed()
  @HttpCode(200)
  confirmTotp(@Body() dto: TotpConfirmDto, @CurrentPrincipal() principal: Principal) {
    return this.auth.confirmTotp(principal, dto.code);
  }

  @Post('password')
  @ApiCookieAuth()
  @SessionOnly()
  @HttpCode(204)
  async changePassword(@Body() dto: ChangePasswordDto, @Req() request: AuthedRequest) {
    if (!request.principal || !request.sessionId) throw Problem.unauthorized();
    await this.auth.changePassword(request.principal, request.sessionId, dto, request.ip);
  }
}
