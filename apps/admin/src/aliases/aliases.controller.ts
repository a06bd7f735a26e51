import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AdminRequestContext } from '../auth/admin-request-context';
import { CurrentAdmin } from '../auth/current-admin.decorator';
import { READ_ROLES, Roles, WRITE_ROLES } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { AliasesService } from './aliases.service';
import { AliasDto } from './dto/alias.dto';
import { PutAliasDto } from './dto/put-alias.dto';

@ApiTags('aliases')
@ApiBearerAuth()
@ApiSecurity('management-key')
@ApiErrors(401, 403)
@Controller('admin/v1/aliases')
export class AliasesController {
  constructor(private readonly aliases: AliasesService) {}

  @Get()
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'List global aliases (config file and admin-managed)' })
  @ApiOkResponse({ type: [AliasDto] })
  list(): Promise<AliasDto[]> {
    return this.aliases.list();
  }

  @Put(':alias')
  @Roles(...WRITE_ROLES)
  @ApiOperation({ summary: 'Create or replace a global alias' })
  @ApiOkResponse({ type: AliasDto })
  @ApiErrors(400)
  put(@CurrentAdmin() ctx: AdminRequestContext, @Param('alias') alias: string, @Body() dto: PutAliasDto): Promise<AliasDto> {
    return this.aliases.put(ctx, alias, dto.target);
  }

  @Delete(':alias')
  @HttpCode(204)
  @Roles(...WRITE_ROLES)
  @ApiOperation({ summary: 'Delete an admin-managed global alias' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404)
  delete(@CurrentAdmin() ctx: AdminRequestContext, @Param('alias') alias: string): Promise<void> {
    return this.aliases.delete(ctx, alias);
  }
}
