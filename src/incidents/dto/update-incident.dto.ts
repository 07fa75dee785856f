import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { CATEGORIES } from '../../vocabulary/rsit.js';
import { SECTORS, SEVERITIES } from '../../vocabulary/vocabulary.js';

/** Absent means unchanged; only `assignee` may be null (clears it). */
export class UpdateIncidentDto {
  @ApiPropertyOptional({ enum: SEVERITIES })
  @ValidateIf((o: UpdateIncidentDto) => o.severity !== undefined)
  @IsIn(SEVERITIES)
  severity?: string;

  @ApiPropertyOptional({ description: 'RSIT class/type', example: 'fraud/phishing' })
  @ValidateIf((o: UpdateIncidentDto) => o.category !== undefined)
  @IsIn(CATEGORIES, { message: 'v.rsitCategory' })
  category?: string;

  @ApiPropertyOptional({ enum: SECTORS })
  @ValidateIf((o: UpdateIncidentDto) => o.sector !== undefined)
  @IsIn(SECTORS)
  sector?: string;

  @ApiPropertyOptional({
    maxLength: 64,
    nullable: true,
    description: 'The username of an active coordinator or admin; null clears it',
  })
  @ValidateIf((o: UpdateIncidentDto) => o.assignee !== undefined && o.assignee !== null)
  @IsString()
  @Length(1, 100)
  @Matches(/\S/, { message: 'v.notBlankOrNull' })
  assignee?: string | null;
}
