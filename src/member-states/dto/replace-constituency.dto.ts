import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray } from 'class-validator';

export const MAX_DOMAINS = 20_000;
export const MAX_CIDRS = 20_000;
export const MAX_ASNS = 5_000;

/** Entries are checked one by one in the service, so each bad one is named (`cidrs[2]`). */
export class ReplaceConstituencyDto {
  @ApiProperty({
    type: [String],
    maxItems: MAX_DOMAINS,
    example: ['gov.by', 'пример.рф'],
    description: 'Matched as suffixes of domains, URL hosts and e-mail domains; IDN allowed',
  })
  @IsArray()
  @ArrayMaxSize(MAX_DOMAINS)
  domains!: unknown[];

  @ApiProperty({
    type: [String],
    maxItems: MAX_CIDRS,
    example: ['192.0.2.0/24', '2001:db8::/32'],
    description: 'IPv4 or IPv6 networks; host bits must be zero; a bare address is a /32 or /128',
  })
  @IsArray()
  @ArrayMaxSize(MAX_CIDRS)
  cidrs!: unknown[];

  @ApiProperty({ type: [Number], maxItems: MAX_ASNS, example: [64500] })
  @IsArray()
  @ArrayMaxSize(MAX_ASNS)
  asns!: unknown[];
}
