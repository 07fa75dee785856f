import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { CCC_PARTY, MEMBER_STATES } from '../../vocabulary/member-states.js';
import { PageQuery } from '../../common/pagination.js';
import type { DeliveryStatus } from '../outbox.entity.js';

const PARTIES = [...MEMBER_STATES, CCC_PARTY];

export class ListDeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['pending', 'delivered', 'failed'] })
  @IsOptional()
  @IsIn(['pending', 'delivered', 'failed'])
  status?: DeliveryStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  incidentId?: string;

  @ApiPropertyOptional({ enum: PARTIES, description: 'A member-state code or CCC' })
  @IsOptional()
  @IsIn(PARTIES)
  party?: string;
}
