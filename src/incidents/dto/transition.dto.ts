import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { STATUSES } from '../../vocabulary/vocabulary.js';

export class ResolutionDto {
  @ApiPropertyOptional({ maxLength: 10_000, description: 'Required when to is resolved' })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  summary?: string;

  @ApiPropertyOptional({ maxLength: 10_000, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  lessonsLearned?: string | null;
}

/** Shapes only; what each target requires is checked by the state machine (transitions.ts). */
export class TransitionDto {
  @ApiProperty({ enum: STATUSES })
  @IsIn(STATUSES)
  to!: string;

  @ApiPropertyOptional({ maxLength: 2_000, description: 'Required when to is rejected' })
  @IsOptional()
  @IsString()
  @MaxLength(2_000)
  note?: string | null;

  @ApiPropertyOptional({ type: ResolutionDto, description: 'Only when to is resolved' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ResolutionDto)
  resolution?: ResolutionDto | null;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required when to is duplicate' })
  @IsOptional()
  @IsUUID('all')
  duplicateOf?: string | null;
}
