// Prisma CLI configuration: offline migrations through the WebAssembly schema engine (no engine download).
// See ../shared/STACK.md for why each shim below exists.
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { defineConfig } from 'prisma/config';

// The schema's datasource reads DATABASE_URL; without it `prisma generate` falls back to downloading an engine.
process.env.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/llmp';

interface QueryResultLike { fields?: { dataTypeID: number }[] }

// prisma/orm#27403: adapter-pg cannot map `name` (19) and `char` (18) columns read from pg_catalog; report them as text.
function patchColumnTypes<T>(result: T): T {
  for (const field of (result as QueryResultLike)?.fields ?? []) {
    if (field.dataTypeID === 19 || field.dataTypeID === 18) field.dataTypeID = 25;
  }
  return result;
}

class CatalogSafeClient extends pg.Client {
  // pg's overloads cannot be expressed in one signature; the arguments are forwarded untouched.
  override query(...args: any[]): any {
    const callback = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
    const query = super.query as (...a: unknown[]) => any;
    if (callback) {
      return query.call(this, ...args, (err: unknown, r: unknown) => callback(err, err ? r : patchColumnTypes(r)));
    }
    const res = query.apply(this, args);
    return res && typeof res.then === 'function' ? res.then(patchColumnTypes) : res;
  }
}

function pgConfig(url: string, database?: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: database ?? u.pathname.slice(1),
    Client: CatalogSafeClient,
  };
}

// adapter-pg's own shadow database handling ignores the database name and drops it while still connected.
function migrationAdapter(url: string) {
  const base = new PrismaPg(pgConfig(url) as pg.PoolConfig);
  return {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: () => base.connect(),
    async connectToShadowDb() {
      const admin = await base.connect();
      const database = `prisma_shadow_${randomUUID().replace(/-/g, '')}`;
      await admin.executeScript(`CREATE DATABASE "${database}"`);
      const shadow = await new PrismaPg(pgConfig(url, database) as pg.PoolConfig).connect();
      const dispose = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await dispose();
        await admin.executeScript(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        await admin.dispose();
      };
      return shadow;
    },
  };
}

export default defineConfig({
  experimental: { adapter: true },
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  engine: 'js',
  // The wasm engine accepts any object with the adapter-factory shape; the cast bridges the package's nominal type.
  adapter: async () => migrationAdapter(process.env.DATABASE_URL!) as any,
});
