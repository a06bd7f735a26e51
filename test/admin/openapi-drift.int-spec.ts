import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** The committed OpenAPI document and the console's generated client types match the live control plane. */
describe('OpenAPI drift', () => {
  it('has regenerated apps/admin/openapi.json and the console client types (npm run openapi:generate)', () => {
    const root = join(__dirname, '..', '..');
    const out = execFileSync(process.execPath, [join(root, 'scripts/openapi.mjs'), 'check'], {
      cwd: root,
      env: process.env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toContain('up to date');
  }, 120_000);
});
