import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsString,
  Length,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { MEMBER_STATES } from '../../vocabulary/member-states.js';
import type { Role } from '../../common/principal.js';

@ValidatorConstraint({ name: 'stateForRole' })
class StateForRole implements ValidatorConstraintInterface {
  validate(state: unknown, args: ValidationArguments) {
    const role = (args.object as CreateApiKeyDto).role;
    if (role === 'analyst') return (MEMBER_STATES as readonly unknown[]).includes(state);
    return state === undefined || state === null;
  }
  defaultMessage(args: ValidationArguments) {
    return (args.object as CreateApiKeyDto).role === 'analyst'
      ? 'v.stateForAnalysts' // a catalogue key (src/i18n/messages)
      : 'v.stateOnlyForAnalysts';
  }
}

export class CreateApiKeyDto {
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ enum: ['analyst', 'coordinator', 'admin'] })
  @IsIn(['analyst', 'coordinator', 'admin'])
  role!: Role;

  @ApiPropertyOptional({
    enum: MEMBER_STATES,
    description: 'Required for analysts, refused otherwise',
  })
  @Validate(StateForRole)
  state?: string;
}
