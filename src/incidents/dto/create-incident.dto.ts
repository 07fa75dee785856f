import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { MEMBER_STATES } from '../../vocabulary/member-states.js';
import { ISO_8601, ISO_MESSAGE } from '../../common/validation.js';
import { CATEGORIES } from '../../vocabulary/rsit.js';
import {
  OBSERVABLE_TYPES,
  type ObservableType,
  SECTORS,
  SEVERITIES,
  TLPS,
} from '../../vocabulary/vocabulary.js';

export class ObservableDto {
  @ApiProperty({ enum: OBSERVABLE_TYPES })
  @IsIn(OBSERVABLE_TYPES)
  type!: ObservableType;

  @ApiProperty({ maxLength: 2048, example: 'evil.example' })
  @IsString()
  @Length(1, 2048)
  value!: string;
}

export class CreateIncidentDto {
  @ApiProperty({ maxLength: 300 })
  @IsString()
  @Length(1, 300)
  @Matches(/\S/, { message: 'v.notBlank' })
  title!: string;

  @ApiPropertyOptional({ maxLength: 20_000 })
  @IsOptional()
  @IsString()
  @MaxLength(20_000)
  description?: string | null;

  @ApiProperty({ description: 'RSIT class/type', example: 'fraud/phishing', enum: CATEGORIES })
  @IsIn(CATEGORIES, { message: 'v.rsitCategory' })
  category!: string;

  @ApiProperty({ enum: SEVERITIES })
  @IsIn(SEVERITIES)
  severity!: string;

  @ApiProperty({ enum: TLPS })
  @IsIn(TLPS)
  tlp!: string;

  @ApiProperty({ enum: SECTORS })
  @IsIn(SECTORS)
  sector!: string;

  @ApiPropertyOptional({
    enum: MEMBER_STATES,
    description: 'Required for coordinators; an analyst may only name its own state',
  })
  @IsOptional()
  @IsIn(MEMBER_STATES)
  reportingState?: string;

  @ApiPropertyOptional({ enum: MEMBER_STATES, isArray: true, maxItems: 6 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(6)
  @ArrayUnique()
  @IsIn(MEMBER_STATES, { each: true })
  affectedStates?: string[];

  @ApiPropertyOptional({ type: [ObservableDto], maxItems: 500 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsObject({ each: true, message: 'v.isObject' })
  @ValidateNested({ each: true })
  @Type(() => ObservableDto)
  observables?: ObservableDto[];

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsString()
  @Matches(ISO_8601, { message: ISO_MESSAGE })
  @IsISO8601({ strict: true }, { message: 'v.realDateTime' })
  occurredAt?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsString()
  @Matches(ISO_8601, { message: ISO_MESSAGE })
  @IsISO8601({ strict: true }, { message: 'v.realDateTime' })
  detectedAt?: string;
}
