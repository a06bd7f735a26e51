import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode, LlmpError } from '@llmp/common';
import { ConfigStore } from '@llmp/infra';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { ConfigReloadResultDto } from './dto/config-reload-result.dto';

@ApiTags('config')
@ApiBearerAuth()
@Controller('admin/v1/config')
export class ConfigController {
  constructor(private readonly store: ConfigStore) {}

  @Post('reload')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Re-read llmp.config.yaml (providers, models, prices) here and on every data plane replica, without dropping requests',
  })
  @ApiOkResponse({ type: ConfigReloadResultDto })
  @ApiErrors(400, 401, 403)
  async reload(): Promise<ConfigReloadResultDto> {
    // Validated here first, so a broken file is reported to the caller and never broadcast.
    const result = this.store.reload('admin API');
    if (result.status === 'rejected') {
      throw new LlmpError(ErrorCode.InvalidRequest, 'The config file is invalid; every process keeps its running config', {
        data: { problems: result.problems },
      });
    }
    const notified = await this.store.broadcastReload();
    return { ...result, notified };
  }
}
