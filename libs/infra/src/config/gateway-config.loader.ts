import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type {
  AdminLoginThrottle,
  GatewayConfig,
  ModelConfig,
  ModelPricing,
  ModelTarget,
  ProviderConfig,
  ProviderType,
  RedisDownMode,
} from '@llmp/common';
import { DEMO_CONFIG_YAML } from './demo-config';
import { parseCidr } from '../http/client-address';

const PROVIDER_TYPES: readonly ProviderType[] = ['openai', 'anthropic', 'gemini', 'ollama', 'mock'];
const REDIS_DOWN_MODES: readonly RedisDownMode[] = ['local', 'open', 'closed'];
const DEFAULT_TIMEOUT_MS = 600_000;

/** One problem in a config file, with the line it is on (1-based; 0 when unknown). */
export interface ConfigProblem {
  line: number;
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `invalid llmp config ${source}:\n` +
        problems.map((p) => `  line ${p.line || '?'}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

type Path = (string | number)[];

/** Walks a parsed YAML document, collecting every problem with its line instead of stopping at the first. */
class ConfigReader {
  readonly problems: ConfigProblem[] = [];

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  lineOf(path: Path): number {
    for (let p = path; p.length >= 0; p = p.slice(0, -1)) {
      const node = p.length ? this.doc.getIn(p, true) : this.doc.contents;
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) return this.lines.linePos(range[0]).line;
      if (!p.length) break;
    }
    return 0;
  }

  problem(path: Path, message: string): void {
    this.problems.push({ line: this.lineOf(path), path: path.join('.'), message });
  }

  value(path: Path): unknown {
    return this.doc.getIn(path);
  }

  items(path: Path): unknown[] {
    const node = this.doc.getIn(path, true);
    if (node === undefined || node === null) return [];
    if (!isSeq(node)) {
      this.problem(path, 'must be a list');
      return [];
    }
    return node.items;
  }

  /** Keys of the map at `path` (empty when absent or not a map). */
  keys(path: Path): string[] {
    const node = this.doc.getIn(path, true);
    if (!isMap(node)) return [];
    return node.items.map((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key));
  }

  isMapAt(path: Path): boolean {
    return isMap(this.doc.getIn(path, true));
  }

  string(path: Path, opts: { required?: boolean } = {}): string | undefined {
    const v = this.value(path);
    if (v === undefined || v === null) {
      if (opts.required) this.problem(path, 'is required');
      return undefined;
    }
    if (typeof v !== 'string' && typeof v !== 'number') {
      this.problem(path, 'must be a string');
      return undefined;
    }
    return this.substitute(path, String(v));
  }

  number(path: Path, opts: { min?: number; integer?: boolean } = {}): number | undefined {
    const v = this.value(path);
    if (v === undefined || v === null) return undefined;
    const n = typeof v === 'string' ? Number(this.substitute(path, v)) : v;
    if (typeof n !== 'number' || !Number.isFinite(n) || (opts.integer && !Number.isInteger(n))) {
      this.problem(path, `must be a${opts.integer ? 'n integer' : ' number'}`);
      return undefined;
    }
    if (opts.min !== undefined && n < opts.min) {
      this.problem(path, `must be at least ${opts.min}`);
      return undefined;
    }
    return n;
  }

  boolean(path: Path): boolean | undefined {
    const v = this.value(path);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') {
      this.problem(path, 'must be true or false');
      return undefined;
    }
    return v;
  }

  /** Replaces `${ENV}` references; a missing variable is a problem, not an empty string. */
  private substitute(path: Path, raw: string): string {
    return raw.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = this.env[name];
      if (v === undefined) {
        this.problem(path, `references \${${name}}, which is not set in the environment`);
        return '';
      }
      return v;
    });
  }
}

function readProviders(r: ConfigReader): ProviderConfig[] {
  const providers: ProviderConfig[] = [];
  const seen = new Set<string>();
  const maxResponseBytes = r.number(['routing', 'maxResponseBytes'], { min: 64 * 1024, integer: true });
  r.items(['providers']).forEach((_item, i) => {
    const at: Path = ['providers', i];
    const name = r.string([...at, 'name'], { required: true });
    const type = r.string([...at, 'type'], { required: true });
    if (type !== undefined && !PROVIDER_TYPES.includes(type as ProviderType)) {
      r.problem([...at, 'type'], `unknown provider type "${type}" (expected ${PROVIDER_TYPES.join(', ')})`);
    }
    if (name !== undefined) {
      if (seen.has(name)) r.problem([...at, 'name'], `duplicate provider name "${name}"`);
      seen.add(name);
    }
    const baseUrl = r.string([...at, 'baseUrl']);
    if (type && type !== 'mock' && !baseUrl) r.problem([...at, 'baseUrl'], 'is required for this provider type');
    if (baseUrl) {
      try {
        const u = new URL(baseUrl);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      } catch {
        r.problem([...at, 'baseUrl'], `must be an http(s) URL, got "${baseUrl}"`);
      }
    }
    const headers: Record<string, string> = {};
    if (r.isMapAt([...at, 'headers'])) {
      for (const h of r.keys([...at, 'headers'])) headers[h] = r.string([...at, 'headers', h]) ?? '';
    }
    const pricing = readPricing(r, at);
    if (name && type && PROVIDER_TYPES.includes(type as ProviderType)) {
      providers.push({
        name,
        type: type as ProviderType,
        baseUrl: baseUrl?.replace(/\/+$/, ''),
        apiKey: r.string([...at, 'apiKey']) || undefined,
        timeoutMs: r.number([...at, 'timeoutMs'], { min: 1, integer: true }) ?? DEFAULT_TIMEOUT_MS,
        maxResponseBytes: r.number([...at, 'maxResponseBytes'], { min: 64 * 1024, integer: true }) ?? maxResponseBytes,
        headers,
        ...(pricing && { pricing }),
      });
    }
  });
  return providers;
}

/** `pricing: { input, output }` (USD per million tokens) under a model or a provider. */
function readPricing(r: ConfigReader, at: Path): ModelPricing | undefined {
  if (r.value([...at, 'pricing']) === undefined) return undefined;
  const input = r.number([...at, 'pricing', 'input'], { min: 0 });
  const output = r.number([...at, 'pricing', 'output'], { min: 0 });
  if (input === undefined || output === undefined) {
    r.problem([...at, 'pricing'], 'needs input and output prices');
    return undefined;
  }
  return { input, output };
}

function readModels(r: ConfigReader, providerNames: Set<string>): ModelConfig[] {
  const models: ModelConfig[] = [];
  const seen = new Set<string>();
  r.items(['models']).forEach((_item, i) => {
    const at: Path = ['models', i];
    const name = r.string([...at, 'name'], { required: true });
    if (name !== undefined) {
      if (name.includes('://')) r.problem([...at, 'name'], 'must not contain "://" (reserved for provider forcing)');
      if (seen.has(name)) r.problem([...at, 'name'], `duplicate model name "${name}"`);
      seen.add(name);
    }
    const targets: ModelTarget[] = [];
    const rawTargets = r.items([...at, 'targets']);
    if (!rawTargets.length) r.problem([...at, 'targets'], 'must list at least one target');
    rawTargets.forEach((_t, j) => {
      const tp: Path = [...at, 'targets', j];
      const provider = r.string([...tp, 'provider'], { required: true });
      const model = r.string([...tp, 'model'], { required: true });
      if (provider !== undefined && !providerNames.has(provider)) {
        r.problem([...tp, 'provider'], `unknown provider "${provider}"`);
      }
      const priority = r.number([...tp, 'priority'], { integer: true }) ?? j;
      const weight = r.number([...tp, 'weight'], { min: 0 }) ?? 1;
      if (provider && model) targets.push({ provider, model, priority, weight });
    });
    const pricing = readPricing(r, at);
    const maxOutputTokens = r.number([...at, 'maxOutputTokens'], { min: 1, integer: true });
    if (name) models.push({ name, targets, pricing, ...(maxOutputTokens !== undefined && { maxOutputTokens }) });
  });
  return models;
}

/** Longest alias chain the config may hold (the resolver's own limit). */
const MAX_ALIAS_DEPTH = 8;

function readAliases(r: ConfigReader, models: ModelConfig[]): Record<string, string> {
  const aliases: Record<string, string> = {};
  const raw = r.value(['aliases']);
  if (raw === undefined || raw === null) return aliases;
  if (!r.isMapAt(['aliases'])) {
    r.problem(['aliases'], 'must be a map of alias: model');
    return aliases;
  }
  const modelNames = new Set(models.map((m) => m.name));
  const targets = new Set(models.flatMap((m) => m.targets.map((t) => `${t.provider}://${t.model}`)));
  for (const alias of r.keys(['aliases'])) {
    const target = r.string(['aliases', alias], { required: true });
    if (!target) continue;
    if (modelNames.has(alias)) r.problem(['aliases', alias], `alias "${alias}" shadows a model of the same name`);
    aliases[alias] = target;
  }
  for (const alias of Object.keys(aliases)) {
    if (!leadsToConfiguredModel(alias, aliases, modelNames, targets)) {
      r.problem(['aliases', alias], `alias "${alias}" → "${aliases[alias]}" does not lead to a configured model (or a configured target's provider://model)`);
    }
  }
  return aliases;
}

/** Follows global aliases from `alias`: it must end at a configured model or a configured target, without a cycle. */
function leadsToConfiguredModel(alias: string, aliases: Record<string, string>, models: Set<string>, targets: Set<string>): boolean {
  let name = alias;
  for (let depth = 0; depth < MAX_ALIAS_DEPTH; depth++) {
    const next = Object.prototype.hasOwnProperty.call(aliases, name) ? aliases[name] : undefined;
    if (next === undefined) return false;
    if (models.has(next) || targets.has(next)) return true;
    name = next;
  }
  return false;
}

function readLoginThrottle(r: ConfigReader): AdminLoginThrottle {
  const at = (k: string): Path => ['admin', 'loginThrottle', k];
  const windowSeconds = r.number(at('windowSeconds'), { min: 1, integer: true }) ?? 900;
  const throttle: AdminLoginThrottle = {
    maxFailures: r.number(at('maxFailures'), { min: 1, integer: true }) ?? 5,
    ipMaxFailures: r.number(at('ipMaxFailures'), { min: 1, integer: true }) ?? 20,
    windowSeconds,
    lockSeconds: r.number(at('lockSeconds'), { min: 1, integer: true }) ?? 30,
    maxLockSeconds: r.number(at('maxLockSeconds'), { min: 1, integer: true }) ?? windowSeconds,
  };
  // A lock outliving the window would forget the failures that justify it.
  if (throttle.maxLockSeconds > windowSeconds) r.problem(at('maxLockSeconds'), 'must not exceed windowSeconds');
  return throttle;
}

/** Parses and validates config text; throws ConfigError listing every problem with its line. */
export function parseGatewayConfig(text: string, source: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => ({ line: e.linePos?.[0]?.line ?? 0, path: '', message: e.message.split('\n')[0] })),
    );
  }
  const r = new ConfigReader(doc, lines, env);
  if (doc.contents !== null && !isMap(doc.contents)) r.problem([], 'the config must be a YAML map');
  const providers = readProviders(r);
  const models = readModels(r, new Set(providers.map((p) => p.name)));
  const aliases = readAliases(r, models);

  const authMode = r.string(['auth', 'mode']) ?? (r.value(['auth']) === 'disabled' ? 'disabled' : 'required');
  if (authMode !== 'required' && authMode !== 'disabled') r.problem(['auth', 'mode'], 'must be required or disabled');
  const onRedisDown = (r.string(['limits', 'onRedisDown']) ?? 'local') as RedisDownMode;
  if (!REDIS_DOWN_MODES.includes(onRedisDown)) {
    r.problem(['limits', 'onRedisDown'], `must be one of ${REDIS_DOWN_MODES.join(', ')}`);
  }
  const config: GatewayConfig = {
    providers,
    models,
    aliases,
    auth: {
      mode: authMode === 'disabled' ? 'disabled' : 'required',
      maxFailuresPerMinute: r.number(['auth', 'maxFailuresPerMinute'], { min: 0, integer: true }) ?? 30,
    },
    routing: {
      cooldownAfterFailures: r.number(['routing', 'cooldownAfterFailures'], { min: 1, integer: true }) ?? 3,
      cooldownMs: r.number(['routing', 'cooldownMs'], { min: 0, integer: true }) ?? 30_000,
    },
    limits: { onRedisDown, minOutputTokens: r.number(['limits', 'minOutputTokens'], { min: 1, integer: true }) ?? 256, ...readRedisTimings(r) },
    server: {
      bodyLimitBytes: r.number(['server', 'bodyLimitBytes'], { min: 1024, integer: true }) ?? 10 * 1024 * 1024,
      trustedProxies: readTrustedProxies(r),
    },
    admin: { allowRemote: r.boolean(['admin', 'allowRemote']) ?? false, loginThrottle: readLoginThrottle(r) },
    source,
  };
  if (r.problems.length) throw new ConfigError(source, r.problems);
  return config;
}

/** `server.trustedProxies`: a list of IPv4/IPv6 addresses or CIDRs; anything else is a problem with its line. */
function readTrustedProxies(r: ConfigReader): string[] {
  const cidrs: string[] = [];
  r.items(['server', 'trustedProxies']).forEach((_, i) => {
    const at: Path = ['server', 'trustedProxies', i];
    const entry = r.string(at, { required: true });
    if (entry === undefined) return;
    if (!parseCidr(entry)) r.problem(at, 'must be an IPv4 or IPv6 address or CIDR (e.g. 10.0.0.0/8, fd00::/8)');
    else cidrs.push(entry.trim());
  });
  return cidrs;
}

/** `limits.redisTimeoutMs` (10..5000, default 250) and `limits.parallelLeaseMs` (1 s..1 h, default 30 s). */
function readRedisTimings(r: ConfigReader): { redisTimeoutMs: number; parallelLeaseMs: number } {
  const bounded = (key: string, min: number, max: number, fallback: number): number => {
    const v = r.number(['limits', key], { min, integer: true });
    if (v !== undefined && v > max) r.problem(['limits', key], `must be at most ${max}`);
    return v ?? fallback;
  };
  return {
    redisTimeoutMs: bounded('redisTimeoutMs', 10, 5000, 250),
    parallelLeaseMs: bounded('parallelLeaseMs', 1000, 3_600_000, 30_000),
  };
}

/** Loads LLMP_CONFIG, else ./llmp.config.yaml, else the built-in demo config. */
export function loadGatewayConfig(configPath: string | undefined, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const path = configPath ? resolve(configPath) : resolve('llmp.config.yaml');
  if (!configPath && !existsSync(path)) return parseGatewayConfig(DEMO_CONFIG_YAML, 'built-in demo config', env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(path, [{ line: 0, path: '', message: `cannot read file: ${(e as Error).message}` }]);
  }
  return parseGatewayConfig(text, path, env);
}
