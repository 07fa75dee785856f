import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { LoginLimiter } from './login-limiter.js';
import { LoginService } from './login.service.js';
import { OidcController } from './oidc.controller.js';
import { OidcService } from './oidc.service.js';

/** Signing people in and out (sessions themselves live in SessionsModule). */
@Module({
  imports: [UsersModule],
  controllers: [AuthController, OidcController],
  providers: [AuthService, LoginService, LoginLimiter, OidcService],
})
export class AuthModule {}
