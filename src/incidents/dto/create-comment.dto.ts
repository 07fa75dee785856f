import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

export class CreateCommentDto {
  @ApiProperty({ maxLength: 10_000 })
  @IsString()
  @MaxLength(10_000)
  @Matches(/\S/, { message: 'v.notEmpty' })
  body!: string;
}
