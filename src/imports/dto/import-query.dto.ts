import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { MEMBER_STATES } from '../../vocabulary/member-states.js';
import { CATEGORIES } from '../../vocabulary/rsit.js';
import { SECTORS, SEVERITIES, TLPS } from '../../vocabulary/vocabulary.js';

/** Query of the import routes: who files, and defaults for what the input lacks. */
export class ImportQuery {
  @ApiPropertyOptional({
    enum: MEMBER_STATES,
    description: 'Required for coordinators; an analyst may only name its own state',
  })
  @IsOptional()
  @IsIn(MEMBER_STATES)
  reportingState?: string;

  @ApiPropertyOptional({
    enum: TLPS,
    description: 'TLP of items the input marks with none (without it such an item fails)',
  })
  @IsOptional()
  @IsIn(TLPS)
  tlp?: string;

  @ApiPropertyOptional({ enum: CATEGORIES, description: 'Default other/undetermined' })
  @IsOptional()
  @IsIn(CATEGORIES, { message: 'v.rsitCategory' })
  category?: string;

  @ApiPropertyOptional({ enum: SEVERITIES, description: 'Default medium' })
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: string;

  @ApiPropertyOptional({ enum: SECTORS, description: 'Default other' })
  @IsOptional()
  @IsIn(SECTORS)
  sector?: string;

  @ApiPropertyOptional({
    maxLength: 300,
    description:
      'Title of the one incident a STIX bundle without incident, report or grouping becomes',
  })
  @IsOptional()
  @IsString()
  @Length(1, 300)
  @Matches(/\S/, { message: 'v.notBlank' })
  title?: string;
}

/** What the import job needs of the query (stored with the import). */
export type ImportDefaults = Pick<
  ImportQuery,
  'tlp' | 'category' | 'severity' | 'sector' | 'title'
>;
