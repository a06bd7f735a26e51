import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import { Pool, type QueryResultRow } from 'pg';
import type { EnvConfig } from '../config/env.config';
import { ENV_CONFIG } from '../tokens';

/** The Prisma client over the pg driver adapter (no query-engine binary). Only repositories inject it. */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  /** The adapter's pool (it ends with `$disconnect`), shared with `preparedRows`. */
  private readonly pool: Pool;

  constructor(@Inject(ENV_CONFIG) env: EnvConfig) {
    const pool = new Pool({ connectionString: env.databaseUrl, max: 10 });
    super({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
    this.pool = pool;
    // An idle connection the server ends (restart, failover, a terminated backend) is an 'error' on the pool, which
    // would crash the process without a listener; Prisma adds its own only once it has connected, and `preparedRows`
    // may use the pool first. The pool replaces the connection on the next query.
    const logger = new Logger(PrismaService.name);
    pool.on('error', (e) => logger.warn(`idle Postgres connection closed: ${e.message}`));
  }

  /**
   * One statement as a named prepared statement on the same pool, for the hot bulk writes whose parameters are
   * arrays of a whole batch: `$queryRaw` passes every element through Prisma's query compiler on each call (a fifth
   * of the ledger worker's CPU, measured) and Postgres parses and plans the text again each time. Errors are pg's
   * (`code` is the SQLSTATE). Repositories only, with a constant `text` per `name`.
   */
  async preparedRows<T extends QueryResultRow>(name: string, text: string, values: unknown[]): Promise<T[]> {
    const result = await this.pool.query<T>({ name, text, values });
    return result.rows;
  }

  /**
   * Disconnects in Nest's last shutdown phase, after every consumer stopped in `beforeApplicationShutdown`: a query
   * issued in the same turn as `$disconnect` never settles over the pg adapter (measured; one already on the wire
   * completes), which would hang a worker waiting for its batch to commit, and so the whole shutdown.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    // $disconnect ends the pool only if Prisma itself ever connected; `preparedRows` alone leaves it open.
    if (!this.pool.ending) await this.pool.end();
  }
}

/** A client usable inside or outside an interactive transaction. */
export type PrismaTx = Omit<
  PrismaClient,
  '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'
>;
