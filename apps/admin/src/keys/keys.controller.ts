import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { AdminRequestContext } from '../auth/admin-request-context';
import { CurrentAdmin } from '../auth/current-admin.decorator';
import { READ_ROLES, Roles, WRITE_ROLES } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { CreateKeyDto } from './dto/create-key.dto';
import { CreatedKeyDto } from './dto/created-key.dto';
import { KeyPageDto } from './dto/key-page.dto';
import { KeyDto } from './dto/key.dto';
import { ListKeysQueryDto } from './dto/list-keys.query.dto';
import { RotateKeyDto } from './dto/rotate-key.dto';
import { RotatedKeyDto } from './dto/rotated-key.dto';
import { UpdateKeyDto } from './dto/update-key.dto';
import { KeysService } from './keys.service';

@ApiTags('keys')
@ApiBearerAuth()
@ApiSecurity('management-key')
@ApiErrors(401, 403)
@Controller('admin/v1/keys')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @Post()
  @Roles(...WRITE_ROLES)
  @ApiOperation({ summary: 'Create a virtual key (the secret is returned once)' })
  @ApiCreatedResponse({ type: CreatedKeyDto })
  @ApiErrors(400)
  create(@CurrentAdmin() ctx: AdminRequestContext, @Body() dto: CreateKeyDto): Promise<CreatedKeyDto> {
    return this.keys.create(ctx, dto);
  }

  @Get()
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'List keys (newest first, cursor pagination; never secrets or hashes)' })
  @ApiOkResponse({ type: KeyPageDto })
  @ApiErrors(400)
  list(@Query() query: ListKeysQueryDto): Promise<KeyPageDto> {
    return this.keys.list(query);
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'Get one key' })
  @ApiOkResponse({ type: KeyDto })
  @ApiErrors(404)
  get(@Param('id') id: string): Promise<KeyDto> {
    return this.keys.get(id);
  }

  @Patch(':id')
  @Roles(...WRITE_ROLES)
  @ApiOperation({ summary: 'Change a key\'s name, team, policy, expiry or metadata' })
  @ApiOkResponse({ type: KeyDto })
  @ApiErrors(400, 404)
  update(@CurrentAdmin() ctx: AdminRequestContext, @Param('id') id: string, @Body() dto: UpdateKeyDto): Promise<KeyDto> {
    return this.keys.update(ctx, id, dto);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Roles(...WRITE_ROLES)
  @ApiOperation({ summary: 'Revoke a key (effective on every data plane replica within a second)' })
  @ApiOkResponse({ type: KeyDto })
  @ApiErrors(404)
  revoke(@CurrentAdmin() ctx: AdminRequestContext, @Param('id') id: string): Promise<KeyDto> {
    return this.keys.revoke(ctx, id);
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @Roles(...WRITE_ROLES)
  @ApiOperation({ summary: 'Rotate a key: a new secret under the same id, the old one kept for a grace period' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Replaying the same value returns the same secret.' })
  @ApiOkResponse({ type: RotatedKeyDto })
  @ApiErrors(400, 404, 409)
  rotate(
    @CurrentAdmin() ctx: AdminRequestContext,
    @Param('id') id: string,
    @Body() dto: RotateKeyDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<RotatedKeyDto> {
    return this.keys.rotate(ctx, id, dto, idempotencyKey);
  }
}
