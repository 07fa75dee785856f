import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/principal.js';
import { AuditLogService } from './audit-log.service.js';
import { ListAuditQuery } from './dto/list-audit.dto.js';

@ApiTags('audit')
@ApiBearerAuth()
@Roles('admin')
@Controller('audit')
export class AuditController {
  constructor(private readonly auditLog: AuditLogService) {}

  @Get()
  list(@Query() query: ListAuditQuery) {
    return this.auditLog.list(query);
  }

  @Get('verify')
  verify() {
    return this.auditLog.verify();
  }
}
