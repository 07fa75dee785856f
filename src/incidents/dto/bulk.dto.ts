import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsOptional,
  IsUUID,
  ValidateNested,
} from 'class-validator';
import { TransitionDto } from './transition.dto.js';
import { UpdateIncidentDto } from './update-incident.dto.js';

/** The most incidents one bulk request handles. */
export const BULK_MAX_IDS = 200;

/** A transition for every incident: `to` and one shared `note` (nothing per incident). */
export class BulkTransitionDto extends PickType(TransitionDto, ['to', 'note'] as const) {}

/**
 * `POST /api/v1/incidents/bulk`. The fields other than `ids` are those of the single routes,
 * with their rules (PickType keeps their validation): `assignee`, `severity`, `category` of
 * `PATCH /incidents/:id`, `transition` of `POST /incidents/:id/transitions`.
 */
export class BulkDto extends PickType(UpdateIncidentDto, [
  'assignee',
  'severity',
  'category',
] as const) {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: BULK_MAX_IDS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BULK_MAX_IDS)
  @ArrayUnique({ message: 'v.idsUnique' })
  @IsUUID('all', { each: true })
  ids!: string[];

  @ApiPropertyOptional({ type: BulkTransitionDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => BulkTransitionDto)
  transition?: BulkTransitionDto;
}
