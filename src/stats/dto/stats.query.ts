import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class StatsQuery {
  @ApiPropertyOptional({
    example: '2026-11-01',
    description:
      'Start, inclusive (ISO 8601 date or date-time with Z or offset); default 30 days before to',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-01', description: 'End, exclusive; default now' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  to?: string;
}
