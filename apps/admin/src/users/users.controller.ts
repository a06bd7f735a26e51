import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AdminRequestContext } from '../auth/admin-request-context';
import { CurrentAdmin } from '../auth/current-admin.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { CreateUserDto } from './dto/create-user.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserDto } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@ApiSecurity('management-key')
@ApiErrors(401, 403)
@Roles('admin')
@Controller('admin/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create an admin user' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiErrors(400, 409)
  create(@CurrentAdmin() ctx: AdminRequestContext, @Body() dto: CreateUserDto): Promise<UserDto> {
    return this.users.create(ctx, dto);
  }

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'List admin users' })
  @ApiOkResponse({ type: [UserDto] })
  list(): Promise<UserDto[]> {
    return this.users.list();
  }

  @Get(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Get one admin user' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(404)
  get(@Param('id') id: string): Promise<UserDto> {
    return this.users.get(id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change an admin user\'s role or password, or disable them' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(400, 404)
  update(@CurrentAdmin() ctx: AdminRequestContext, @Param('id') id: string, @Body() dto: UpdateUserDto): Promise<UserDto> {
    return this.users.update(ctx, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin')
  @ApiOperation({ summary: 'Delete an admin user' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404)
  delete(@CurrentAdmin() ctx: AdminRequestContext, @Param('id') id: string): Promise<void> {
    return this.users.delete(ctx, id);
  }
}
