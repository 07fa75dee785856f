import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../common/principal.js';
import { ParseId } from '../common/validation.js';
import { DeliveriesService } from './deliveries.service.js';
import { ListDeliveriesQuery } from './dto/list-deliveries.dto.js';

@ApiTags('deliveries')
@ApiBearerAuth()
@Controller('deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  @Roles('coordinator', 'admin')
  list(@Query() query: ListDeliveriesQuery) {
    return this.deliveries.list(query);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @Roles('coordinator')
  retry(@Param('id', ParseId) id: string, @CurrentPrincipal() actor: Principal) {
    return this.deliveries.retry(id, actor);
  }
}
