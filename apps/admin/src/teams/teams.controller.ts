import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AdminRequestContext } from '../auth/admin-request-context';
import { CurrentAdmin } from '../auth/current-admin.decorator';
import { READ_ROLES, Roles, WRITE_ROLES } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { CreateTeamDto } from './dto/create-team.dto';
import { TeamDto } from './dto/team.dto';
import { UpdateTeamDto } from './dto/update-team.dto';
import { TeamsService } from './teams.service';

@ApiTags('teams')
@ApiBearerAuth()
@ApiSecurity('management-key')
@ApiErrors(401, 403)
@Controller('admin/v1/teams')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Post()
  @Roles(...WRITE_ROLES)
  @ApiOperation({ summary: 'Create a team' })
  @ApiCreatedResponse({ type: TeamDto })
  @ApiErrors(400, 409)
  create(@CurrentAdmin() ctx: AdminRequestContext, @Body() dto: CreateTeamDto): Promise<TeamDto> {
    return this.teams.create(ctx, dto);
  }

  @Get()
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'List teams' })
  @ApiOkResponse({ type: [TeamDto] })
  list(): Promise<TeamDto[]> {
    return this.teams.list();
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'Get one team' })
  @ApiOkResponse({ type: TeamDto })
  @ApiErrors(404)
  get(@Param('id') id: string): Promise<TeamDto> {
    return this.teams.get(id);
  }

  @Patch(':id')
  @Roles(...WRITE_ROLES)
  @ApiOperation({ summary: 'Change a team\'s name, policy or metadata (applies to its keys within a second)' })
  @ApiOkResponse({ type: TeamDto })
  @ApiErrors(400, 404, 409)
  update(@CurrentAdmin() ctx: AdminRequestContext, @Param('id') id: string, @Body() dto: UpdateTeamDto): Promise<TeamDto> {
    return this.teams.update(ctx, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles(...WRITE_ROLES)
  @ApiOperation({ summary: 'Delete a team that has no keys' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404, 409)
  delete(@CurrentAdmin() ctx: AdminRequestContext, @Param('id') id: string): Promise<void> {
    return this.teams.delete(ctx, id);
  }
}
