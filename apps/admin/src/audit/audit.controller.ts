import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { AuditLogService, type AuditPage, type ChainVerification } from './audit-log.service';
import { AuditPageDto } from './dto/audit-page.dto';
import { AuditQueryDto } from './dto/audit-query.dto';
import { AuditVerificationDto } from './dto/audit-verification.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('admin/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditLogService) {}

  @Get()
  @Roles('admin', 'operator')
  @ApiOperation({ summary: 'List audit events, newest first, with filters and cursor pagination' })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiErrors(400, 401, 403)
  list(@Query() q: AuditQueryDto): Promise<AuditPage> {
    return this.audit.list(
      {
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        actor: q.actor,
        action: q.action,
        target: q.target,
      },
      q.limit ?? 100,
      q.cursor,
    );
  }

  @Get('verify')
  @Roles('admin', 'operator')
  @ApiOperation({ summary: 'Recompute the hash chain and report the first broken link' })
  @ApiOkResponse({ type: AuditVerificationDto })
  @ApiErrors(401, 403)
  verify(): Promise<ChainVerification> {
    return this.audit.verify();
  }
}
