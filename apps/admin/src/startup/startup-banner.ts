import type { MasterKeySource } from '../auth/master-key.service';
import type { DemoKeyState } from './demo-key.seeder';

export interface BannerFacts {
  adminUrl: string;
  masterKey: { source: MasterKeySource; value: string; path: string };
  demoKey: DemoKeyState;
  /**
   * Whether the demo key's secret may be shown: at a terminal, or when the master key is llmp's own (a local install).
   * A supplied master key and a non-terminal stdout mean a deployment whose stdout is shipped to a log store, where a
   * working key must not land. Absent means shown.
   */
  showDemoSecret?: boolean;
}

/** The start-up text for stdout. A master key supplied through the environment is never printed. */
export function formatStartupBanner(f: BannerFacts): string {
  const master =
    f.masterKey.source === 'env'
      ? 'from LLMP_MASTER_KEY (not shown)'
      : `${f.masterKey.value}  (${f.masterKey.source === 'generated' ? 'generated now, ' : ''}stored in ${f.masterKey.path})`;
  const demo =
    f.demoKey.state === 'usable'
      ? f.showDemoSecret === false
        ? `${f.demoKey.keyId} (secret not shown: stdout is not a terminal; POST /admin/v1/keys/${f.demoKey.keyId}/rotate for one)`
        : f.demoKey.secret
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
