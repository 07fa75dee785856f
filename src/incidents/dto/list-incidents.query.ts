import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { MEMBER_STATES } from '../../common/member-state-codes.js';
import { PageQuery } from '../../common/pagination.js';
import { SEVERITIES, STATUSES, TLPS } from '../../vocabulary/vocabulary.js';
import { CATEGORIES } from '../taxonomy.js';

export const INCIDENT_SORTS = ['-createdAt', 'priority'] as const;
export type IncidentSort = (typeof INCIDENT_SORTS)[number];

export class ListIncidentsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: string;

  @ApiPropertyOptional({ enum: SEVERITIES })
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: string;

  @ApiPropertyOptional({ description: 'RSIT class/type' })
  @IsOptional()
  @IsIn(CATEGORIES, { message: 'v.rsitCategory' })
  category?: string;

  @ApiPropertyOptional({ enum: TLPS })
  @IsOptional()
  @IsIn(TLPS)
  tlp?: string;

  @ApiPropertyOptional({ enum: MEMBER_STATES })
  @IsOptional()
  @IsIn(MEMBER_STATES)
  reportingState?: string;

  @ApiPropertyOptional({
    enum: MEMBER_STATES,
    description: 'Incidents with a dispatch to this state',
  })
  @IsOptional()
  @IsIn(MEMBER_STATES)
  dispatchedTo?: string;

  @ApiPropertyOptional({
    maxLength: 100,
    description: 'A username, `me` (the signed-in person) or `none` (unassigned)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  assignee?: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'Full-text search in title and description' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  q?: string;

  @ApiPropertyOptional({ enum: INCIDENT_SORTS, default: '-createdAt' })
  @IsOptional()
  @IsIn(INCIDENT_SORTS)
  sort: IncidentSort = '-createdAt';
}
