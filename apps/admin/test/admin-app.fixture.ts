import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createAdminApp } from '../src/bootstrap';

export const TEST_MASTER_KEY = 'llmp_admin_test_master_key_0123456789abcdef';

/** A control plane app for tests, with a known master key and a throwaway data directory. */
export async function startAdminApp(): Promise<NestFastifyApplication> {
  process.env.LLMP_MASTER_KEY = TEST_MASTER_KEY;
  process.env.LLMP_DATA_DIR = mkdtempSync(join(tmpdir(), 'llmp-admin-'));
  return createAdminApp({ logger: ['error'] });
}

export const master = { authorization: `Bearer ${TEST_MASTER_KEY}` };

export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary JSON shapes
  headers: Record<string, unknown>;
}

export async function call(
  app: NestFastifyApplication,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  opts: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<Reply> {
  const res = await app.inject({
    method,
    url,
    headers: { ...(opts.body !== undefined && { 'content-type': 'application/json' }), ...opts.headers },
    ...(opts.body !== undefined && { payload: JSON.stringify(opts.body) }),
  });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null, headers: res.headers };
}
