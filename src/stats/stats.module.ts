import { Module } from '@nestjs/common';
import { StatsController } from './stats.controller.js';
import { StatsService } from './stats.service.js';

/** `GET /api/v1/stats`: dashboard figures under the one visibility rule. */
@Module({ controllers: [StatsController], providers: [StatsService] })
export class StatsModule {}
