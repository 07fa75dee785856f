import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { MEMBER_STATES } from '../../vocabulary/member-states.js';

export class PreviewQuery {
  @ApiPropertyOptional({ enum: MEMBER_STATES, description: 'Only this recipient' })
  @IsOptional()
  @IsIn(MEMBER_STATES)
  state?: string;
}
