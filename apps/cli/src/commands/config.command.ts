import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { GatewayConfig } from '@llmp/common';
// By path, not through `@llmp/infra`: its index loads Nest, Prisma and Redis, which a config check never needs.
import { ConfigError, loadGatewayConfig, type ConfigProblem } from '../../../../libs/infra/src/config/gateway-config.loader';
import { CliError } from '../cli.error';
import type { CliEnv } from '../config/cli-env.config';
import { printJson, printLine, printTable } from '../output/table.printer';
import { examples } from './command-context';

interface CheckOptions {
  config?: string;
  json?: boolean;
}

/** `file:line: path: message`, the format editors and CI annotators already understand. */
function formatProblem(source: string, p: ConfigProblem): string {
  return `${source}${p.line ? `:${p.line}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** Routes without provider credentials or headers: the output may be pasted into tickets. */
function routes(config: GatewayConfig) {
  return {
    source: config.source,
    providers: config.providers.map((p) => ({ name: p.name, type: p.type, baseUrl: p.baseUrl ?? null })),
    models: config.models.map((m) => ({
      name: m.name,
      targets: [...m.targets].sort((a, b) => a.priority - b.priority),
      pricing: m.pricing ?? null,
    })),
    aliases: config.aliases,
    auth: config.auth.mode,
  };
}

function printRoutes(config: GatewayConfig): void {
  const r = routes(config);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;
  printLine(`OK ${r.source}: ${plural(r.providers.length, 'provider')}, ${plural(r.models.length, 'model')}, ${plural(Object.keys(r.aliases).length, 'alias')}; auth ${r.auth}`);
  printTable(
    ['model', 'targets (failover order)', 'USD / 1M tokens in / out'],
    r.models.map((m) => [
      m.name,
      m.targets.map((t, i) => `${i + 1}. ${t.provider} -> ${t.model}${t.weight !== 1 ? ` (weight ${t.weight})` : ''}`).join('\n'),
      m.pricing ? `${m.pricing.input} / ${m.pricing.output}` : 'unpriced',
    ]),
    'No models configured.',
  );
  const aliases = Object.entries(r.aliases);
  if (aliases.length) printTable(['alias', 'model'], aliases.map(([a, t]) => [a, t]));
}

export function registerConfigCommand(program: Command, env: CliEnv): void {
  const config = program.command('config').description('work with the gateway config file');
  const check = config
    .command('check')
    .description('validate the config file: every problem with its line, else the resolved model routes')
    .option('-c, --config <path>', 'config file (default: LLMP_CONFIG, else ./llmp.config.yaml)')
    .option('--json', 'print JSON ({ok, problems} or the routes)')
    .action((o: CheckOptions) => {
      const path = o.config ?? env.configPath;
      if (!path && !existsSync(resolve('llmp.config.yaml'))) {
        process.stderr.write('No llmp.config.yaml here and LLMP_CONFIG is not set: `llmp serve` would use the built-in demo config.\n');
      }
      let loaded: GatewayConfig;
      try {
        loaded = loadGatewayConfig(path);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        if (o.json) printJson({ ok: false, source: e.source, problems: e.problems });
        else for (const p of e.problems) printLine(formatProblem(e.source, p));
        const n = e.problems.length;
        throw new CliError(`${e.source}: ${n} problem${n === 1 ? '' : 's'}; fix ${n === 1 ? 'it' : 'them'} and run \`llmp config check\` again`);
      }
      if (o.json) printJson({ ok: true, ...routes(loaded) });
      else printRoutes(loaded);
    });
  examples(check, ['llmp config check', 'llmp config check --config deploy/llmp.config.yaml', 'VLLM_API_KEY=x llmp config check -c llmp.config.example.yaml --json']);
}
