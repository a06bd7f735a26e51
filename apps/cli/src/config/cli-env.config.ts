import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './project-root';

/** Everything the CLI reads from the environment, read once here (flags override it in the commands). */
export interface CliEnv {
  adminUrl: string;
  /** secret */
  adminToken: string | undefined;
  apiUrl: string;
  /** secret */
  apiKey: string | undefined;
  /** Where a local `llmp serve` may keep its generated master key (LLMP_DATA_DIR, else `.llmp` here or in the project). */
  masterKeyFiles: string[];
  /** secret */
  masterKey: string | undefined;
  configPath: string | undefined;
  defaultModel: string;
}

export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:8001';
export const DEFAULT_API_URL = 'http://127.0.0.1:8000';

export function loadCliEnv(env: NodeJS.ProcessEnv = process.env): CliEnv {
  return {
    adminUrl: env.LLMP_ADMIN_URL || DEFAULT_ADMIN_URL,
    adminToken: env.LLMP_ADMIN_TOKEN || undefined,
    apiUrl: env.LLMP_API_URL || DEFAULT_API_URL,
    apiKey: env.LLMP_KEY || undefined,
    masterKeyFiles: env.LLMP_DATA_DIR
      ? [join(env.LLMP_DATA_DIR, 'master.key')]
      : [join(process.cwd(), '.llmp', 'master.key'), join(projectRoot(), '.llmp', 'master.key')],
    masterKey: env.LLMP_MASTER_KEY || undefined,
    configPath: env.LLMP_CONFIG || undefined,
    defaultModel: env.LLMP_MODEL || 'gpt-4o-mini',
  };
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  } catch {
    return false;
  }
}

/**
 * The admin credential: --token, LLMP_ADMIN_TOKEN, then (for a control plane on this machine only) the master key
 * `llmp serve` uses, so `npx llmp keys list` works right after `npm start` without copying secrets around.
 */
export function resolveAdminToken(env: CliEnv, flag: string | undefined, adminUrl: string): string | undefined {
  if (flag) return flag;
  if (env.adminToken) return env.adminToken;
  if (!isLoopback(adminUrl)) return undefined;
  if (env.masterKey) return env.masterKey;
  const file = env.masterKeyFiles.find((f) => existsSync(f));
  return file ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}
