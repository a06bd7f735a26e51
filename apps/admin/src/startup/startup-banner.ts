import type { MasterKeySource } from '../auth/master-key.service';
import type { DemoKeyState } from './demo-key.seeder';

export interface BannerFacts {
  adminUrl: string;
  masterKey: { source: MasterKeySource; value: string; path: string };
  demoKey: DemoKeyState;
}

/** The start-up text for stdout. A master key supplied through the environment is never printed. */
export function formatStartupBanner(f: BannerFacts): string {
  const master =
    f.masterKey.source === 'env'
      ? 'from LLMP_MASTER_KEY (not shown)'
      : `${f.masterKey.value}  (${f.masterKey.source === 'generated' ? 'generated now, ' : ''}stored in ${f.masterKey.path})`;
  const demo =
    f.demoKey.state === 'usable'
      ? f.demoKey.secret
      : f.demoKey.state === 'unknown'
        ? 'not available (see the log above)'
        : `the demo key (${f.demoKey.keyId}) was ${f.demoKey.state}; create keys with POST /admin/v1/keys`;
  return [
    '',
    '  ┌─ llmp control plane ─────────────────────────────────────────────',
    `  │ Admin API   ${f.adminUrl}/admin/v1   (Swagger UI: ${f.adminUrl}/docs)`,
    `  │ Master key  ${master}`,
    `  │ Demo key    ${demo}`,
    '  └──────────────────────────────────────────────────────────────────',
    '',
  ].join('\n');
}
