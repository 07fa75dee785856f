import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '../common/principal.js';
import { StatsQuery } from './dto/stats.query.js';
import { StatsService } from './stats.service.js';

@ApiTags('stats')
@ApiBearerAuth()
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  get(@Query() query: StatsQuery, @CurrentPrincipal() principal: Principal) {
    return this.stats.stats(principal, query);
  }
}
