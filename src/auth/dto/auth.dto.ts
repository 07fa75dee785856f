import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';

export class LoginDto {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  username!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 1024)
  password!: string;

  @ApiPropertyOptional({ description: 'The current TOTP code, or one of the recovery codes' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  code?: string;
}

export class ActivateDto {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  token!: string;

  @ApiProperty({ minLength: 12 })
  @IsString()
  @MaxLength(1024)
  password!: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @Length(1, 1024)
  current!: string;

  @ApiProperty({ minLength: 12 })
  @IsString()
  @MaxLength(1024)
  password!: string;
}

export class TotpConfirmDto {
  @ApiProperty({ example: '123456' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'v.totpCode' })
  code!: string;
}
