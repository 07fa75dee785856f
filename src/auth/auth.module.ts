import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { LoginLimiter } from './login-limiter.js';
import { LoginService } from './login.service.js';

/** Signing people in and out (sessions themselves live in SessionsModule). */
@Module({
  imports: [UsersModule],
  controllers: [AuthController],
  providers: [AuthService, LoginService, LoginLimiter],
})
export class AuthModule {}
