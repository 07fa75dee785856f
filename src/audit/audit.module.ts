import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service.js';

/** Global: every feature that changes state appends to the audit log. */
@Global()
@Module({ providers: [AuditService], exports: [AuditService] })
export class AuditModule {}
