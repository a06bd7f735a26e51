import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ConfigError, loadGatewayConfig } from '../../../../libs/infra/src/config/gateway-config.loader';
import { CliError } from '../cli.error';
import { projectRoot } from '../config/project-root';
import { parsePort } from '../options/option-values.parser';
import { examples } from './command-context';

interface ServeOptions {
  apiPort?: number;
  adminPort?: number;
  config?: string;
  verbose?: boolean;
  only?: 'api' | 'admin' | 'worker';
}

export function registerServeCommand(program: Command): void {
  const serve = program
    .command('serve')
    .description('run the gateway: data plane, control plane and workers (what `npm start` runs) until Ctrl-C')
    .option('--api-port <port>', 'data plane port (default: LLMP_API_PORT or 8000)', parsePort)
    .option('--admin-port <port>', 'control plane port (default: LLMP_ADMIN_PORT or 8001)', parsePort)
    .option('-c, --config <path>', 'config file (default: LLMP_CONFIG, else ./llmp.config.yaml, else the built-in demo)')
    .option('--verbose', 'log at verbose level')
    .addOption(new Option('--only <part>', 'run one part only (one per container)').choices(['api', 'admin', 'worker']))
    .action(async (o: ServeOptions) => {
      const childEnv: NodeJS.ProcessEnv = { ...process.env };
      if (o.apiPort) childEnv.LLMP_API_PORT = String(o.apiPort);
      if (o.adminPort) childEnv.LLMP_ADMIN_PORT = String(o.adminPort);
      const root = projectRoot();
      if (o.config) childEnv.LLMP_CONFIG = o.config;
      // The parts run in the project root; resolve the config here so `llmp serve` in any directory uses its file.
      if (!childEnv.LLMP_CONFIG) childEnv.LLMP_CONFIG = [resolve('llmp.config.yaml'), join(root, 'llmp.config.yaml')].find((p) => existsSync(p));
      if (childEnv.LLMP_CONFIG) childEnv.LLMP_CONFIG = resolve(childEnv.LLMP_CONFIG);
      if (o.verbose) childEnv.LLMP_LOG_LEVEL = 'verbose';
      // Fail here with every problem and its line, instead of one stack trace from a child process.
      try {
        loadGatewayConfig(childEnv.LLMP_CONFIG, childEnv);
      } catch (e) {
        if (e instanceof ConfigError) {
          process.stderr.write(e.message + '\n');
          throw new CliError('the config has problems; fix them (see `llmp config check`) and start again');
        }
        throw e;
      }
      const child = spawn(process.execPath, [join(root, 'scripts/start.mjs'), ...(o.only ? ['--only', o.only] : [])], {
        cwd: process.cwd(),
        env: childEnv,
        stdio: 'inherit',
      });
      // A terminal's Ctrl-C reaches the whole process group; SIGTERM from a supervisor reaches only us.
      const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
      process.on('SIGINT', forward('SIGINT'));
      process.on('SIGTERM', forward('SIGTERM'));
      const code = await new Promise<number>((done) => child.once('exit', (c, signal) => done(c ?? (signal ? 1 : 0))));
      process.exitCode = code;
    });
  examples(serve, [
    'llmp serve',
    'llmp serve --config llmp.config.yaml --api-port 9000 --admin-port 9001',
    'llmp serve --only api    # one part per container',
  ]);
}
