import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { MEMBER_STATES } from '../../vocabulary/member-states.js';
import type { Role } from '../../common/principal.js';
import { LOCALES, ROLES } from './create-user.dto.js';

/** Absent means unchanged. A change of role, state or `disabled` ends the user's sessions. */
export class UpdateUserDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  displayName?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ enum: MEMBER_STATES, description: 'Analysts only' })
  @IsOptional()
  @IsIn(MEMBER_STATES)
  state?: string;

  @ApiPropertyOptional({ enum: LOCALES })
  @IsOptional()
  @IsIn(LOCALES)
  locale?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}
