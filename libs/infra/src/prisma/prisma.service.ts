import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import type { EnvConfig } from '../config/env.config';
import { ENV_CONFIG } from '../tokens';

/** The Prisma client over the pg driver adapter (no query-engine binary). Only repositories inject it. */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(@Inject(ENV_CONFIG) env: EnvConfig) {
    super({ adapter: new PrismaPg({ connectionString: env.databaseUrl, max: 10 }) });
  }

  /**
   * Disconnects in Nest's last shutdown phase, after every consumer stopped in `beforeApplicationShutdown`: a query
   * issued in the same turn as `$disconnect` never settles over the pg adapter (measured; one already on the wire
   * completes), which would hang a worker waiting for its batch to commit, and so the whole shutdown.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}

/** A client usable inside or outside an interactive transaction. */
export type PrismaTx = Omit<
  PrismaClient,
  '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'
>;
