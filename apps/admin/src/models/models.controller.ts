import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { READ_ROLES, Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { CooldownDto } from './dto/cooldown.dto';
import { ModelRouteDto } from './dto/model-route.dto';
import { ModelsService } from './models.service';

@ApiTags('models')
@ApiBearerAuth()
@ApiErrors(401, 403)
@Controller('admin/v1/models')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Get()
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'Configured model routes with their targets and configured prices' })
  @ApiOkResponse({ type: [ModelRouteDto] })
  list(): ModelRouteDto[] {
    return this.models.routes();
  }

  @Get('cooldowns')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'Provider targets currently cooling down after failures' })
  @ApiOkResponse({ type: [CooldownDto] })
  cooldowns(): CooldownDto[] {
    return this.models.cooldowns();
  }
}
