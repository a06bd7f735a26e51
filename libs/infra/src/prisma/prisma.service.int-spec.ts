import pg from 'pg';
import { loadEnv } from '../config/env.config';
import { PrismaService } from './prisma.service';

describe('PrismaService pool (Postgres)', () => {
  it('survives the server ending an idle connection used only by preparedRows, and ends the pool on shutdown', async () => {
    const prisma = new PrismaService(loadEnv());
    const [{ pid }] = await prisma.preparedRows<{ pid: number }>('backend_pid', 'SELECT pg_backend_pid() AS pid', []);

    // What a Postgres restart or failover does to an idle pooled connection. Without the pool's own 'error' listener
    // this was an unhandled 'error' event: a crash of the process (Prisma had not connected, so had added none).
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await admin.end();
    await new Promise((r) => setTimeout(r, 200));

    const [{ n }] = await prisma.preparedRows<{ n: number }>('one', 'SELECT 1::int AS n', []);
    expect(n).toBe(1);
    // Prisma's own queries share the pool.
    expect(await prisma.$queryRaw<{ n: number }[]>`SELECT 2::int AS n`).toEqual([{ n: 2 }]);

    await prisma.onApplicationShutdown();
    await expect(prisma.preparedRows('one', 'SELECT 1::int AS n', [])).rejects.toThrow(/pool/i);
  });

  it('ends the pool on shutdown when Prisma itself never connected', async () => {
    const prisma = new PrismaService(loadEnv());
    await prisma.preparedRows('one', 'SELECT 1::int AS n', []);
    await prisma.onApplicationShutdown();
    await expect(prisma.preparedRows('one', 'SELECT 1::int AS n', [])).rejects.toThrow(/pool/i);
  });
});
