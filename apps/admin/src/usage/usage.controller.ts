import { Readable } from 'node:stream';
import { Controller, Get, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { UsageQueryDto } from './dto/usage-query.dto';
import { UsageRecordsQueryDto } from './dto/usage-records-query.dto';
import { UsageReportDto } from './dto/usage-report.dto';
import { usageCsvLines } from './usage-csv';
import type { UsageDimension } from './usage-report.repository';
import { type UsageRecordView, type UsageReport, UsageReportService } from './usage-report.service';

@ApiTags('usage')
@ApiBearerAuth()
@Controller('admin/v1/usage')
export class UsageController {
  constructor(private readonly usage: UsageReportService) {}

  @Get()
  @Roles('admin', 'finance')
  @ApiOperation({ summary: 'Usage and cost report grouped by day, key, team and/or model (JSON or streamed CSV)' })
  @ApiOkResponse({ type: UsageReportDto })
  @ApiProduces('application/json', 'text/csv')
  @ApiErrors(400, 401, 403)
  async report(@Query() q: UsageQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<UsageReport | StreamableFile> {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * 86_400_000);
    const groupBy = [...new Set((q.groupBy ?? '').split(',').filter(Boolean))] as UsageDimension[];
    const result = await this.usage.report(from, to, groupBy, { keyId: q.keyId, teamId: q.teamId, model: q.model });
    if (q.format !== 'csv') return result;
    reply.header('content-disposition', 'attachment; filename="usage.csv"');
    return new StreamableFile(Readable.from(usageCsvLines(result.rows, new Set(groupBy))), { type: 'text/csv; charset=utf-8' });
  }

  @Get('records')
  @Roles('admin', 'finance')
  @ApiOperation({ summary: 'Raw usage records, newest first, with filters and cursor pagination' })
  @ApiErrors(400, 401, 403)
  records(@Query() q: UsageRecordsQueryDto): Promise<{ data: UsageRecordView[]; nextCursor: string | null }> {
    return this.usage.records(
      { from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined, keyId: q.keyId, teamId: q.teamId, model: q.model },
      q.limit ?? 100,
      q.cursor,
    );
  }
}
