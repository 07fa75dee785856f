import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { type Locale, LOCALES } from '../../i18n/i18n.js';
import { MAX_CONTACTS, MAX_URL_LENGTH } from '../contact-rules.js';

export class ContactDto {
  @ApiProperty({ enum: ['webhook', 'email'] })
  @IsIn(['webhook', 'email'])
  type!: 'webhook' | 'email';

  @ApiPropertyOptional({ maxLength: MAX_URL_LENGTH, description: 'webhook: http or https URL' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  url?: string;

  @ApiPropertyOptional({
    maxLength: 200,
    description: 'webhook: Standard Webhooks signing secret `whsec_<base64>`; write-only',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  secret?: string;

  @ApiPropertyOptional({ maxLength: 254, description: 'email: the address' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  address?: string;

  @ApiPropertyOptional({
    enum: LOCALES,
    default: 'ru',
    description: 'email: language of its e-mails',
  })
  @IsOptional()
  @IsIn(LOCALES)
  locale?: Locale;
}

export class ReplaceContactsDto {
  @ApiProperty({ type: [ContactDto], maxItems: MAX_CONTACTS })
  @IsArray()
  @ArrayMaxSize(MAX_CONTACTS)
  @IsObject({ each: true, message: 'v.isObject' })
  @ValidateNested({ each: true })
  @Type(() => ContactDto)
  contacts!: ContactDto[];
}
