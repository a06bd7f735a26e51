import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { PriceEntry } from '@llmp/policy';
import type { AdminRequestContext } from '../auth/admin-request-context';
import { CurrentAdmin } from '../auth/current-admin.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { PriceDto } from './dto/price.dto';
import { PutPriceDto } from './dto/put-price.dto';
import { PricesService } from './prices.service';

@ApiTags('prices')
@ApiBearerAuth()
@Controller('admin/v1/prices')
export class PricesController {
  constructor(private readonly prices: PricesService) {}

  @Get()
  @Roles('admin', 'operator', 'finance', 'viewer')
  @ApiOperation({ summary: 'Effective per-model prices (config file, overridden by admin prices)' })
  @ApiOkResponse({ type: [PriceDto] })
  @ApiErrors(401, 403)
  list(): Promise<PriceEntry[]> {
    return this.prices.list();
  }

  @Get(':model')
  @Roles('admin', 'operator', 'finance', 'viewer')
  @ApiOperation({ summary: 'The effective price of one model' })
  @ApiOkResponse({ type: PriceDto })
  @ApiErrors(401, 403, 404)
  get(@Param('model') model: string): Promise<PriceEntry> {
    return this.prices.get(model);
  }

  @Put(':model')
  @Roles('admin', 'finance')
  @ApiOperation({ summary: 'Override a model price (audited; every replica reloads within a second)' })
  @ApiOkResponse({ type: PriceDto })
  @ApiErrors(400, 401, 403)
  put(@CurrentAdmin() ctx: AdminRequestContext, @Param('model') model: string, @Body() body: PutPriceDto): Promise<PriceEntry> {
    return this.prices.put(ctx, model, body.inputPerMillion, body.outputPerMillion);
  }
}
