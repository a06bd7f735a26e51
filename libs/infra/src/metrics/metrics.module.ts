import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';

/** One Prometheus registry per process (per app instance), available everywhere. */
@Global()
@Module({
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
