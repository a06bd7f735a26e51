import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvConfig } from '@llmp/infra';
import { MasterKeyService } from '../auth/master-key.service';
import { formatStartupBanner } from './startup-banner';

const env = (over: Partial<EnvConfig>): EnvConfig => ({ dataDir: mkdtempSync(join(tmpdir(), 'llmp-mk-')), masterKey: undefined, ...over }) as EnvConfig;

describe('master key and start-up banner', () => {
  it('generates a master key once, stores it 0600, and finds it on the next start', () => {
    const e = env({});
    const first = new MasterKeyService(e);
    expect(first.source).toBe('generated');
    expect(first.value).toMatch(/^llmp_admin_/);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(readFileSync(first.path, 'utf8').trim()).toBe(first.value);
    const second = new MasterKeyService(e);
    expect(second).toMatchObject({ source: 'file', value: first.value });
    expect(second.matches(first.value)).toBe(true);
    expect(second.matches(first.value + 'x')).toBe(false);
  });

  it('never prints a master key supplied by the environment', () => {
    const m = new MasterKeyService(env({ masterKey: 'llmp_admin_from_env_secret' }));
    const text = formatStartupBanner({
      adminUrl: 'http://127.0.0.1:8001',
      masterKey: { source: m.source, value: m.value, path: m.path },
      demoKey: { state: 'usable', secret: 'llmp_demo', keyId: 'key_1', created: false },
      stdoutIsTerminal: true,
    });
    expect(text).not.toContain('llmp_admin_from_env_secret');
    expect(text).toContain('from LLMP_MASTER_KEY');
    expect(text).toContain('llmp_demo');
    expect(text).toContain('http://127.0.0.1:8001/docs');
  });

  const facts = (source: 'env' | 'file' | 'generated', created: boolean, stdoutIsTerminal: boolean) =>
    formatStartupBanner({
      adminUrl: 'http://x',
      masterKey: { source, value: 'llmp_admin_master_secret', path: '/d/master.key' },
      demoKey: { state: 'usable', secret: 'llmp_demo_secret', keyId: 'key_1', created },
      stdoutIsTerminal,
    });

  it('prints both keys at a terminal, and on the run that generated them even into a log', () => {
    for (const text of [facts('file', false, true), facts('generated', true, false)]) {
      expect(text).toContain('llmp_admin_master_secret');
      expect(text).toContain('llmp_demo_secret');
    }
    expect(facts('generated', true, false)).toContain('generated now, stored in /d/master.key');
  });

  it('prints no key on a later start whose stdout is not a terminal, and says where the master key is', () => {
    const text = facts('file', false, false);
    expect(text).not.toContain('llmp_admin_master_secret');
    expect(text).not.toContain('llmp_demo_secret');
    expect(text).toContain('stored in /d/master.key (not shown: stdout is not a terminal)');
    expect(text).toContain('key_1 (secret not shown');
  });

  it('keeps the demo key secret out of a deployment\'s shipped stdout, even on the run that seeded it', () => {
    const text = facts('env', true, false);
    expect(text).not.toContain('llmp_demo_secret');
    expect(text).not.toContain('llmp_admin_master_secret');
    expect(text).toContain('key_1 (secret not shown');
  });

  it('says when the demo key was revoked', () => {
    const text = formatStartupBanner({
      adminUrl: 'http://x',
      masterKey: { source: 'generated', value: 'llmp_admin_abc', path: '/d/master.key' },
      demoKey: { state: 'revoked', keyId: 'key_1' },
      stdoutIsTerminal: false,
    });
    expect(text).toContain('llmp_admin_abc');
    expect(text).toContain('was revoked');
  });
});
