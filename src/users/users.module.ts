import { Module } from '@nestjs/common';
import { ActivationMailer } from './activation.mailer.js';
import { SecondFactorService } from './second-factor.service.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  controllers: [UsersController],
  providers: [UsersService, ActivationMailer, SecondFactorService],
  exports: [UsersService, SecondFactorService],
})
export class UsersModule {}
