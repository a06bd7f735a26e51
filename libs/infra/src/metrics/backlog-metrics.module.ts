import { Module } from '@nestjs/common';
import { BacklogMetricsCollector } from './backlog-metrics.collector';
import { BacklogRepository } from './backlog.repository';

/** Queue depth, outbox size and ledger lag on `/metrics`; imported by the control plane only. */
@Module({
  providers: [BacklogMetricsCollector, BacklogRepository],
})
export class BacklogMetricsModule {}
