import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { useIsolatedDatabase } from '../support/isolated-database';

/** The committed OpenAPI document and the console's generated client types match the live control plane. */
describe('OpenAPI drift', () => {
  let drop: () => Promise<void>;
  // Booting the control plane seeds a demo key: it gets a database of its own, dropped afterwards.
  beforeAll(async () => {
    drop = await useIsolatedDatabase();
  }, 60_000);
  afterAll(async () => {
    await drop();
  });

  it('has regenerated apps/admin/openapi.json and the console client types (npm run openapi:generate)', () => {
    const root = join(__dirname, '..', '..');
    const out = execFileSync(process.execPath, [join(root, 'scripts/openapi.mjs'), 'check'], {
      cwd: root,
      env: { ...process.env, LLMP_OPENAPI_KEEP_ENV: '1' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toContain('up to date');
  }, 120_000);
});
