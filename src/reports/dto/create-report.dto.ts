import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';

export class CreateReportDto {
  @ApiProperty({
    example: '2026-05-01',
    description: 'Start, inclusive: an ISO 8601 date (UTC midnight) or date-time with Z or offset',
  })
  @IsString()
  @MaxLength(40)
  from!: string;

  @ApiProperty({
    example: '2026-06-01',
    description: 'End, exclusive; at most 366 days after from',
  })
  @IsString()
  @MaxLength(40)
  to!: string;

  @ApiProperty({ enum: ['community', 'public'] })
  @IsIn(['community', 'public'])
  audience!: 'community' | 'public';
}
