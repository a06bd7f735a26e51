import { Module } from '@nestjs/common';
import { AdmissionService } from './admission.service';
import { UsageSpendRepository } from './usage-spend.repository';

/** Rate limits and budgets. Needs the global InfraModule (REDIS, GATEWAY_CONFIG, PrismaService). */
@Module({
  providers: [AdmissionService, UsageSpendRepository],
  exports: [AdmissionService],
})
export class LimitsModule {}
