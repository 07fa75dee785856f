import { Global, Module } from '@nestjs/common';
import { SessionsService } from './sessions.service.js';

/** Global: the auth guard (in AppModule) and the users and auth modules use sessions. */
@Global()
@Module({ providers: [SessionsService], exports: [SessionsService] })
export class SessionsModule {}
