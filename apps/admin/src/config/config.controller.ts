import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AdminRequestContext } from '../auth/admin-request-context';
import { CurrentAdmin } from '../auth/current-admin.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { ConfigReloadService } from './config-reload.service';
import { ConfigReloadResultDto } from './dto/config-reload-result.dto';

@ApiTags('config')
@ApiBearerAuth()
@Controller('admin/v1/config')
export class ConfigController {
  constructor(private readonly reloads: ConfigReloadService) {}

  @Post('reload')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Re-read llmp.config.yaml (providers, models, prices) here and on every data plane replica, without dropping requests',
    description: 'Every call writes a `config.reload` audit event: who, when, the outcome and what changed.',
  })
  @ApiOkResponse({ type: ConfigReloadResultDto })
  @ApiErrors(400, 401, 403)
  reload(@CurrentAdmin() ctx: AdminRequestContext): Promise<ConfigReloadResultDto> {
    return this.reloads.reloadFromApi(ctx);
  }
}
