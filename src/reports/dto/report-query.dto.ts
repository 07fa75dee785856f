import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { type Locale, LOCALES } from '../../i18n/i18n.js';

export const REPORT_FORMATS = ['json', 'markdown', 'stix', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export class ReportFormatQuery {
  @ApiPropertyOptional({
    enum: REPORT_FORMATS,
    description: 'Return the content in this format instead of the report status (409 until ready)',
  })
  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format?: ReportFormat;

  @ApiPropertyOptional({
    enum: LOCALES,
    default: 'en',
    description: 'Language of html and markdown (the numbers are the same in both)',
  })
  @IsOptional()
  @IsIn(LOCALES)
  lang?: Locale;
}

export class ListReportsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['weekly', 'monthly', 'on-demand'] })
  @IsOptional()
  @IsIn(['weekly', 'monthly', 'on-demand'])
  kind?: string;

  @ApiPropertyOptional({ enum: ['community', 'public'] })
  @IsOptional()
  @IsIn(['community', 'public'])
  audience?: string;

  @ApiPropertyOptional({ enum: ['queued', 'running', 'ready', 'failed'] })
  @IsOptional()
  @IsIn(['queued', 'running', 'ready', 'failed'])
  status?: string;
}
