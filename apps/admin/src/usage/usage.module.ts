import { Module } from '@nestjs/common';
import { UsageController } from './usage.controller';
import { UsageReportRepository } from './usage-report.repository';
import { UsageReportService } from './usage-report.service';

/** Finance reports over the usage ledger and its rollups. */
@Module({
  controllers: [UsageController],
  providers: [UsageReportRepository, UsageReportService],
  exports: [UsageReportService],
})
export class UsageModule {}
