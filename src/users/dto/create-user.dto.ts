import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { MEMBER_STATES } from '../../vocabulary/member-states.js';
import type { Role } from '../../common/principal.js';

export const ROLES = ['analyst', 'coordinator', 'admin'] as const;
export const LOCALES = ['ru', 'en'] as const;
export const USERNAME = /^[a-z0-9._-]{2,64}$/;

@ValidatorConstraint({ name: 'stateForRole' })
export class StateForRole implements ValidatorConstraintInterface {
  validate(state: unknown, args: ValidationArguments) {
    const role = (args.object as { role?: string }).role;
    if (role === 'analyst') return (MEMBER_STATES as readonly unknown[]).includes(state);
    if (role === undefined) return state === undefined || MEMBER_STATES.includes(state as never);
    return state === undefined || state === null;
  }
  defaultMessage(args: ValidationArguments) {
    return (args.object as { role?: string }).role === 'analyst'
      ? 'v.stateForAnalysts' // a catalogue key (src/i18n/messages)
      : 'v.stateOnlyForAnalysts';
  }
}

export class CreateUserDto {
  @ApiProperty({ pattern: USERNAME.source, example: 'i.petrov' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsString()
  @Matches(USERNAME, { message: 'v.username' })
  username!: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'Defaults to the username' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  displayName?: string;

  @ApiPropertyOptional({ description: 'Where the activation link is sent when SMTP is set' })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ enum: MEMBER_STATES, description: 'Required for analysts only' })
  @Validate(StateForRole)
  state?: string;

  @ApiPropertyOptional({ enum: LOCALES, default: 'ru' })
  @IsOptional()
  @IsIn(LOCALES)
  locale?: string;
}
