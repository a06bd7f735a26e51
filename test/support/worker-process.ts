import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { captureProcessOutput } from './canary';
import { ensureBuilt } from './processes';

const root = join(__dirname, '..', '..');

/** A built worker as its own OS process (what `npm start` runs), on this run's Redis prefix unless `env` says otherwise. */
export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  /** Sends `signal` (SIGTERM by default) and resolves once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnWorker(env: Record<string, string> = {}): WorkerProcess {
  let output = '';
  const child = spawn(process.execPath, [ensureBuilt('admin', 'apps/admin/src/worker.js')], {
    cwd: root,
    // A dead worker's jobs reach the next one within seconds instead of BullMQ's default 30 s lock.
    env: { ...process.env, LLMP_LOG_LEVEL: 'warn', NO_COLOR: '1', LLMP_WORKER_LOCK_MS: '2000', LLMP_WORKER_STALLED_INTERVAL_MS: '1000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The whole output also goes to the fault report directory, for the run-wide canary scan.
  captureProcessOutput(child, 'worker', (text) => {
    output = (output + text).slice(-20_000);
  });
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }
      await gone;
    },
  };
}
