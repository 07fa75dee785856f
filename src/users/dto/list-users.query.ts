import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import type { Role } from '../../common/principal.js';
import { ROLES } from './create-user.dto.js';

export class ListUsersQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ROLES, description: 'Coordinators may list only coordinator' })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;
}
