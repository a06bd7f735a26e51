import type { MasterKeySource } from '../auth/master-key.service';
import type { DemoKeyState } from './demo-key.seeder';

export interface BannerFacts {
  adminUrl: string;
  masterKey: { source: MasterKeySource; value: string; path: string };
  demoKey: DemoKeyState;
  /** Whether stdout is a terminal (a person reading), not a pipe or file a log shipper may collect. */
  stdoutIsTerminal: boolean;
}

/**
 * The start-up text for stdout. A key is printed only where a person reads it: at a terminal, or on the run that
 * generated it (the first start, whose output is how the operator learns it), never again on every start into a log
 * file. A master key supplied through the environment is never printed, and neither is the demo key derived from it
 * unless at a terminal: that combination is a deployment whose stdout is shipped to a log store.
 */
export function formatStartupBanner(f: BannerFacts): string {
  const showMaster = f.stdoutIsTerminal || f.masterKey.source === 'generated';
  const master =
    f.masterKey.source === 'env'
      ? 'from LLMP_MASTER_KEY (not shown)'
      : showMaster
        ? `${f.masterKey.value}  (${f.masterKey.source === 'generated' ? 'generated now, ' : ''}stored in ${f.masterKey.path})`
        : `stored in ${f.masterKey.path} (not shown: stdout is not a terminal)`;
  const demo =
    f.demoKey.state === 'usable'
      ? f.stdoutIsTerminal || (f.demoKey.created && f.masterKey.source !== 'env')
        ? f.demoKey.secret
        : `${f.demoKey.keyId} (secret not shown: stdout is not a terminal; POST /admin/v1/keys/${f.demoKey.keyId}/rotate for one)`
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
