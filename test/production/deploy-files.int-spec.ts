import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { parseGatewayConfig } from '@llmp/infra';

/**
 * The deployment files cannot run here (no Docker, no Kubernetes), so this checks what can be checked: every YAML
 * parses, the Helm templates render (a Go-template subset: values, quote, indent, toJson, include, if/else, range)
 * with every `.Values` reference present in values.yaml, the rendered manifests are valid Kubernetes-shaped YAML,
 * and every command points at a real entry point.
 */
const root = join(__dirname, '..', '..');
const docker = join(root, 'docker');
const chart = join(docker, 'helm', 'llmp');

type Scope = Record<string, unknown>;

function lookup(path: string, scope: Scope): unknown {
  let cur: unknown = scope;
  for (const part of path.split('.').filter(Boolean)) {
    if (cur === null || typeof cur !== 'object' || !(part in (cur as Scope))) throw new Error(`template references missing value .${path}`);
    cur = (cur as Scope)[part];
  }
  return cur;
}

/** A small Go-template renderer, enough for this chart; unknown syntax throws so the test cannot pass silently. */
class MiniHelm {
  private readonly defines = new Map<string, string>();

  constructor(private readonly root: Scope) {}

  /** Registers the `define` blocks of a helpers file. */
  define(source: string): void {
    this.render(source);
  }

  render(source: string, vars: Scope = {}): string {
    const parts = source.split(/({{-?[\s\S]*?-?}})/);
    let out = '';
    let i = 0;
    const next = (): { text: string; tag: string | null } => {
      const p = parts[i++];
      if (p === undefined) return { text: '', tag: null };
      if (p.startsWith('{{')) return { text: '', tag: p };
      return { text: p, tag: null };
    };
    const trimLeft = (tag: string): boolean => tag.startsWith('{{-');
    const trimRight = (tag: string): boolean => tag.endsWith('-}}');
    const body = (tag: string): string => tag.replace(/^{{-?\s*/, '').replace(/\s*-?}}$/, '');
    // Collects the tokens of a block until its matching end (and an optional else), as raw template text.
    const block = (): { then: string; otherwise: string } => {
      let depth = 0;
      let then = '';
      let otherwise = '';
      let inElse = false;
      for (;;) {
        const p = parts[i++];
        if (p === undefined) throw new Error('unterminated block');
        if (p.startsWith('{{')) {
          const b = body(p);
          if (/^(if|range|define|with)\b/.test(b)) depth++;
          if (b === 'end') {
            if (depth === 0) return { then, otherwise };
            depth--;
          }
          if (b === 'else' && depth === 0) {
            inElse = true;
            continue;
          }
        }
        if (inElse) otherwise += p;
        else then += p;
      }
    };
    for (;;) {
      if (i >= parts.length) break;
      const { text, tag } = next();
      if (tag === null) {
        out += text;
        continue;
      }
      if (trimLeft(tag)) out = out.replace(/\s+$/, '');
      const b = body(tag);
      let emitted = '';
      if (b.startsWith('if ')) {
        const { then, otherwise } = block();
        emitted = this.render(this.truthy(this.evaluate(b.slice(3), vars)) ? then : otherwise, vars);
      } else if (b.startsWith('range ')) {
        const m = /^range\s+\$(\w+),\s*\$(\w+)\s*:=\s*(.+)$/.exec(b);
        if (!m) throw new Error(`unsupported range: ${b}`);
        const { then } = block();
        const coll = this.evaluate(m[3], vars) as Scope;
        for (const [k, v] of Object.entries(coll ?? {})) emitted += this.render(then, { ...vars, [m[1]]: k, [m[2]]: v });
      } else if (b.startsWith('define ')) {
        const name = /^define\s+"([^"]+)"$/.exec(b)?.[1];
        if (!name) throw new Error(`unsupported define: ${b}`);
        this.defines.set(name, block().then);
      } else if (b.startsWith('/*')) {
        emitted = '';
      } else {
        const v = this.evaluate(b, vars);
        emitted = typeof v === 'string' ? v : JSON.stringify(v);
      }
      out += emitted;
      if (trimRight(tag)) {
        const following = parts[i];
        if (following !== undefined && !following.startsWith('{{')) parts[i] = following.replace(/^\s+/, '');
      }
    }
    return out;
  }

  private truthy(v: unknown): boolean {
    if (v === null || v === undefined || v === false || v === '' || v === 0) return false;
    if (typeof v === 'object') return Object.keys(v as object).length > 0;
    return true;
  }

  private evaluate(expr: string, vars: Scope): unknown {
    const [head, ...filters] = expr.split('|').map((s) => s.trim());
    let v = this.term(head, vars);
    for (const f of filters) {
      const [name, arg] = f.split(/\s+/);
      if (name === 'quote') v = JSON.stringify(String(v ?? ''));
      else if (name === 'indent') v = String(v).split('\n').map((l) => (l ? ' '.repeat(Number(arg)) + l : l)).join('\n');
      else throw new Error(`unsupported filter: ${f}`);
    }
    return v;
  }

  private term(t: string, vars: Scope): unknown {
    let m: RegExpExecArray | null;
    if ((m = /^include\s+"([^"]+)"\s+\.$/.exec(t))) {
      const tpl = this.defines.get(m[1]);
      if (tpl === undefined) throw new Error(`unknown template ${m[1]}`);
      return this.render(tpl, vars).trim();
    }
    if ((m = /^toJson\s+(.+)$/.exec(t))) return JSON.stringify(this.term(m[1], vars));
    if ((m = /^not\s+(.+)$/.exec(t))) return !this.truthy(this.term(m[1], vars));
    if ((m = /^"(.*)"$/.exec(t))) return m[1];
    if ((m = /^\$(\w+)$/.exec(t))) return vars[m[1]];
    if (t.startsWith('.')) return lookup(t.slice(1), this.root);
    throw new Error(`unsupported template expression: ${t}`);
  }
}

/** `dist/<x>.js` must come from a real `<x>.ts` source, so the command starts what the build produces. */
function expectRealEntry(command: string[]): void {
  const js = command.find((c) => c.startsWith('dist/'));
  if (js) {
    expect(existsSync(join(root, js.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    return;
  }
  const entrypoint = readFileSync(join(docker, 'entrypoint.sh'), 'utf8');
  expect(['api', 'admin', 'worker', 'migrate', 'npx']).toContain(command[0]);
  if (command[0] !== 'npx') expect(entrypoint).toContain(`  ${command[0]}) shift; exec `);
}

describe('deployment files', () => {
  it('compose: services, Redis without eviction and with AOF, real entry points, a valid config', () => {
    const compose = parse(readFileSync(join(docker, 'compose.yml'), 'utf8')) as { services: Record<string, { command?: string[]; volumes?: string[] }> };
    expect(Object.keys(compose.services).sort()).toEqual(['admin', 'api', 'migrate', 'postgres', 'redis', 'worker']);
    const redis = compose.services.redis.command!.join(' ');
    expect(redis).toContain('--maxmemory-policy noeviction');
    expect(redis).toContain('--appendonly yes');
    for (const name of ['api', 'admin', 'worker', 'migrate']) expectRealEntry(compose.services[name].command!);
    for (const name of ['api', 'admin', 'worker']) {
      for (const v of compose.services[name].volumes ?? []) {
        const src = v.split(':')[0];
        if (src.startsWith('.')) {
          const file = join(docker, src);
          expect(existsSync(file)).toBe(true);
          expect(() => parseGatewayConfig(readFileSync(file, 'utf8'), file, {})).not.toThrow();
        }
      }
    }
  });

  it('Dockerfile: multi-stage, non-root, installs from the lockfile, migrations separate', () => {
    const dockerfile = readFileSync(join(docker, 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/COPY package\.json package-lock\.json/);
    expect(dockerfile).toMatch(/RUN npm install/);
    expect(dockerfile).not.toMatch(/migrate deploy &&/);
    expect(readFileSync(join(docker, 'entrypoint.sh'), 'utf8')).toContain('migrate) shift; exec npx prisma migrate deploy');
  });

  it('Helm chart: renders, every value exists, manifests are well-formed with probes, HPA and PDB', () => {
    const values = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as Scope;
    expect(parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8'))).toMatchObject({ apiVersion: 'v2', name: 'llmp' });
    const helm = new MiniHelm({ Values: values, Release: { Name: 'prod' } });
    const dir = join(chart, 'templates');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.tpl'))) helm.define(readFileSync(join(dir, f), 'utf8'));

    const manifests: Scope[] = [];
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
      const rendered = helm.render(readFileSync(join(dir, f), 'utf8'));
      for (const doc of parseAllDocuments(rendered)) {
        expect({ file: f, errors: doc.errors.map((e) => e.message) }).toEqual({ file: f, errors: [] });
        const m = doc.toJS() as Scope | null;
        if (!m) continue;
        expect(m).toHaveProperty('apiVersion');
        expect(m).toHaveProperty('kind');
        expect(m).toHaveProperty('metadata.name');
        manifests.push(m);
      }
    }
    const kinds = manifests.map((m) => m.kind).sort();
    expect(kinds).toEqual(
      expect.arrayContaining(['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Job', 'PodDisruptionBudget', 'Secret', 'Service']),
    );
    type Container = { command: string[]; readinessProbe?: unknown; livenessProbe?: unknown };
    const deployments = manifests.filter((m) => m.kind === 'Deployment') as { metadata: { name: string }; spec: { template: { spec: { containers: Container[]; securityContext: Scope } } } }[];
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['prod-llmp-admin', 'prod-llmp-api', 'prod-llmp-worker']);
    for (const d of deployments) {
      expect(d.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
      const c = d.spec.template.spec.containers[0];
      expectRealEntry(c.command);
      if (!d.metadata.name.endsWith('worker')) {
        expect(c.readinessProbe).toMatchObject({ httpGet: { path: '/health/ready' } });
        expect(c.livenessProbe).toMatchObject({ httpGet: { path: '/health/live' } });
      }
    }
    const configMap = manifests.find((m) => m.kind === 'ConfigMap') as { data: Record<string, string> };
    const cfg = parseGatewayConfig(configMap.data['llmp.config.yaml'], 'configmap', { OPENAI_API_KEY: 'x' });
    expect(cfg.admin.allowRemote).toBe(false);
    const api = deployments.find((d) => d.metadata.name === 'prod-llmp-api') as unknown as { spec: { template: { spec: { terminationGracePeriodSeconds: number } } } };
    // Kubernetes must wait longer than the drain bound, or it SIGKILLs replicas still finishing streams.
    expect(api.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan((values.api as { shutdownTimeoutMs: number }).shutdownTimeoutMs);
  });

  it('the renderer rejects a reference to a value that does not exist', () => {
    const helm = new MiniHelm({ Values: { a: 1 }, Release: { Name: 'x' } });
    expect(() => helm.render('x: {{ .Values.missing.path }}')).toThrow(/missing value/);
  });
});
