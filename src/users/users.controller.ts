import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { actorOf, CurrentPrincipal, Principal, Roles } from '../common/principal.js';
import { ParseId } from '../common/validation.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { ListUsersQuery } from './dto/list-users.query.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiBearerAuth()
@ApiCookieAuth()
@Roles('admin')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  create(@Body() dto: CreateUserDto, @CurrentPrincipal() actor: Principal) {
    return this.users.create(dto, actorOf(actor));
  }

  @Get()
  @Roles('admin', 'coordinator')
  list(@Query() query: ListUsersQuery, @CurrentPrincipal() principal: Principal) {
    return this.users.list(principal, query);
  }

  @Get(':id')
  get(@Param('id', ParseId) id: string) {
    return this.users.get(id);
  }

  @Patch(':id')
  update(
    @Param('id', ParseId) id: string,
    @Body() dto: UpdateUserDto,
    @CurrentPrincipal() actor: Principal,
  ) {
    return this.users.update(id, dto, actor);
  }

  @Post(':id/reset')
  @HttpCode(200)
  reset(@Param('id', ParseId) id: string, @CurrentPrincipal() actor: Principal) {
    return this.users.reset(id, actorOf(actor));
  }
}
