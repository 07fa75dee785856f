import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { ISO_8601, ISO_MESSAGE } from '../../common/validation.js';
import { MEMBER_STATES } from '../../vocabulary/member-states.js';
import { CATEGORIES } from '../../vocabulary/rsit.js';
import { SECTORS, SEVERITIES, STATUSES, TLPS } from '../../vocabulary/vocabulary.js';

export const INCIDENT_SORTS = ['-createdAt', 'priority', '-updatedAt', 'deadlineAt'] as const;
export type IncidentSort = (typeof INCIDENT_SORTS)[number];

const BOOLEANS = ['true', 'false'] as const;
/** ISO_8601 from year 1 (PostgreSQL has no year 0). */
const FROM_YEAR_1 = new RegExp(`^(?!0000)${ISO_8601.source.slice(1)}`, ISO_8601.flags);

/** `a,b,c` (or the parameter repeated) → `['a', 'b', 'c']`; any one of them matches. */
const AnyOf = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string'
      ? value.split(',')
      : Array.isArray(value)
        ? value.flatMap((v) => String(v).split(','))
        : value,
  );

const anyOf = (values: readonly string[], example: string) => ({
  type: String,
  example,
  description: `One of ${values.join(', ')}, or several comma-separated (any of them)`,
});

export class ListIncidentsQuery extends PageQuery {
  @ApiPropertyOptional(anyOf(STATUSES, 'new,triaged'))
  @IsOptional()
  @AnyOf()
  @ArrayMaxSize(STATUSES.length)
  @IsIn(STATUSES, { each: true })
  status?: string[];

  @ApiPropertyOptional(anyOf(SEVERITIES, 'critical,high'))
  @IsOptional()
  @AnyOf()
  @ArrayMaxSize(SEVERITIES.length)
  @IsIn(SEVERITIES, { each: true })
  severity?: string[];

  @ApiPropertyOptional({
    type: String,
    example: 'fraud/phishing,malicious-code/c2-server',
    description: 'RSIT class/type, or several comma-separated (any of them)',
  })
  @IsOptional()
  @AnyOf()
  @ArrayMaxSize(CATEGORIES.length)
  @IsIn(CATEGORIES, { each: true, message: 'v.rsitCategory' })
  category?: string[];

  @ApiPropertyOptional(anyOf(TLPS, 'TLP:GREEN,TLP:CLEAR'))
  @IsOptional()
  @AnyOf()
  @ArrayMaxSize(TLPS.length)
  @IsIn(TLPS, { each: true })
  tlp?: string[];

  @ApiPropertyOptional(anyOf(SECTORS, 'energy,finance'))
  @IsOptional()
  @AnyOf()
  @ArrayMaxSize(SECTORS.length)
  @IsIn(SECTORS, { each: true })
  sector?: string[];

  @ApiPropertyOptional(anyOf(MEMBER_STATES, 'BY,KZ'))
  @IsOptional()
  @AnyOf()
  @ArrayMaxSize(MEMBER_STATES.length)
  @IsIn(MEMBER_STATES, { each: true })
  reportingState?: string[];

  @ApiPropertyOptional({
    ...anyOf(MEMBER_STATES, 'KZ'),
    description: 'Incidents with a dispatch to this state, or to any of several comma-separated',
  })
  @IsOptional()
  @AnyOf()
  @ArrayMaxSize(MEMBER_STATES.length)
  @IsIn(MEMBER_STATES, { each: true })
  dispatchedTo?: string[];

  @ApiPropertyOptional({
    maxLength: 100,
    description: 'A username, `me` (the signed-in person) or `none` (unassigned)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  assignee?: string;

  @ApiPropertyOptional({
    enum: BOOLEANS,
    description:
      '`true`: a dispatch is not acknowledged yet (for an analyst: its own state’s); `false`: none is',
  })
  @IsOptional()
  @IsIn(BOOLEANS)
  awaitingAck?: (typeof BOOLEANS)[number];

  @ApiPropertyOptional({
    enum: BOOLEANS,
    description:
      '`true`: such a dispatch is past its deadline (it has escalated, or is due now); `false`: none is',
  })
  @IsOptional()
  @IsIn(BOOLEANS)
  overdue?: (typeof BOOLEANS)[number];

  @ApiPropertyOptional({
    example: '2026-11-01T08:00:00Z',
    description: 'Incidents updated at or after this instant (ISO 8601, with Z or an offset)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  @Matches(FROM_YEAR_1, { message: ISO_MESSAGE })
  @IsISO8601({ strict: true }, { message: 'v.realDateTime' })
  updatedSince?: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'Full-text search in title and description' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  q?: string;

  @ApiPropertyOptional({
    enum: INCIDENT_SORTS,
    default: '-createdAt',
    description:
      '`-createdAt` newest first; `priority` critical first, then oldest; `-updatedAt` last updated first; `deadlineAt` the earliest pending acknowledgement deadline first (for an analyst: its own state’s), incidents without one last, oldest first',
  })
  @IsOptional()
  @IsIn(INCIDENT_SORTS)
  sort: IncidentSort = '-createdAt';
}
