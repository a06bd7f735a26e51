import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ErrorCode, LlmpError } from '@llmp/common';
import { PolicyExplainService, PriceBook } from '@llmp/policy';
import { READ_ROLES, Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { ExplainRequestDto } from './dto/explain-request.dto';
import { ExplainResultDto } from './dto/explain-result.dto';

@ApiTags('policy')
@ApiBearerAuth()
@ApiSecurity('management-key')
@ApiErrors(401, 403)
@Controller('admin/v1/policy')
export class PolicyController {
  constructor(
    private readonly explainer: PolicyExplainService,
    private readonly prices: PriceBook,
  ) {}

  @Post('explain')
  @HttpCode(200)
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'Explain what each policy stage would decide for a key and a request, without calling a provider' })
  @ApiOkResponse({ type: ExplainResultDto })
  @ApiErrors(400, 404)
  explain(@Body() dto: ExplainRequestDto): Promise<ExplainResultDto> {
    const { model, ...body } = dto.request;
    // The same bound as the data plane's model names, so an explanation never carries an unbounded string around.
    if (typeof model !== 'string' || model === '' || model.length > 256) {
      throw new LlmpError(ErrorCode.InvalidRequest, '`request.model` must be a string of 1 to 256 characters.', { param: 'request.model' });
    }
    return this.explainer.explain(dto.keyId, { model, body }, this.prices);
  }
}
