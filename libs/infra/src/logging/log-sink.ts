import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { EnvConfig } from '../config/env.config';
import { scrubLogLine } from '@llmp/common';
import { LOG_REDACT_PATHS } from './log-redaction';

/** Nest's level names → pino's. Nest `log` is pino `info`, `verbose` is `trace`. */
export const PINO_LEVEL: Readonly<Record<EnvConfig['logLevel'] | 'fatal', pino.Level>> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

export interface LogSinkOptions {
  /** Which process writes (`api`, `admin`, `worker`), on every line. */
  app: string;
  level: EnvConfig['logLevel'];
  format: EnvConfig['logFormat'];
}

export interface Sink {
  /** Application logs (the Nest logger): level from LLMP_LOG_LEVEL, secret fields redacted. */
  app: Logger;
  /**
   * Per-key debug (body) lines, independent of LLMP_LOG_LEVEL. Access lines do not go through it: AccessLog builds
   * them as strings and hands them to `appendLine`.
   */
  access: Logger;
  destination: DestinationStream & { flushSync?: () => void };
  /** The base fields every line carries (`"app":…,"pid":…`), as JSON, for lines written without pino. */
  baseJson: string;
}

let sink: Sink | null = null;

/**
 * Opens the process's log output once: stdout through sonic-boom in asynchronous mode (lines are buffered and written
 * in batches, so a request never waits on a write syscall; pino flushes it on exit and `flushLogs` on shutdown).
 */
export function openLogSink(options: LogSinkOptions): Sink {
  if (sink) return sink;
  const destination =
    options.format === 'pretty'
      ? prettyDestination()
      : bufferedStdout();
  const shared: LoggerOptions = {
    // pino's default `time` (epoch ms): an ISO string would cost about 1 µs more on every access line.
    base: { app: options.app, pid: process.pid },
    formatters: { level: (label) => ({ level: label }) },
    // After serialisation: secrets that slipped into a message or an unexpected field never reach the output.
    hooks: { streamWrite: scrubLogLine },
  };
  sink = {
    app: pino({ ...shared, level: PINO_LEVEL[options.level], redact: { paths: [...LOG_REDACT_PATHS], censor: '[redacted]' } }, destination),
    // Body lines are redacted by their caller (redactSecrets) before they get here, so they skip pino's path
    // redaction; the last-line scrubber stays.
    access: pino({ ...shared, level: 'debug' }, destination),
    destination,
    baseJson: `"app":${JSON.stringify(options.app)},"pid":${process.pid}`,
  };
  return sink;
}

/**
 * Stdout through sonic-boom, asynchronous and buffered up to 32 KB: at full load one access line per request written
 * one by one cost the data plane about 5% of its CPU in write calls, 4 KB batches still about 4% (each write is a
 * hand-off to libuv's thread pool). A quarter-second timer writes out what a quiet process has buffered, so lines
 * never wait longer than that.
 */
function bufferedStdout(): DestinationStream & { flushSync?: () => void } {
  const destination = pino.destination({ dest: 1, sync: false, minLength: 32_768, maxWrite: 65_536 });
  setInterval(() => {
    try {
      destination.flush();
    } catch {
      // Not ready yet or already closed: the next tick or flushLogs at exit writes it.
    }
  }, 250).unref();
  return destination;
}

/** The open sink; opens a JSON one on stdout for code that logs before its process configured logging (tests). */
export function logSink(): Sink {
  return sink ?? openLogSink({ app: 'llmp', level: 'log', format: 'json' });
}

/** The sink if this process opened one (apps do at startup), else null. */
export function openedLogSink(): Sink | null {
  return sink;
}

/** Lines appended this event-loop turn (see `appendLine`). */
let turnLines: string[] = [];
let turnScheduled = false;

function writeTurnLines(): void {
  turnScheduled = false;
  if (turnLines.length === 0 || sink === null) return;
  const text = turnLines.length === 1 ? turnLines[0] : turnLines.join('');
  turnLines = [];
  sink.destination.write(scrubLogLine(text));
}

/**
 * Appends a finished JSON line (newline included) for the end of this event-loop turn, when all lines of the turn go
 * to the destination as one string, scrubbed once. One destination write per line cost a length computation and a
 * scrub pass each (access lines, one per request, about 3% of the data plane's CPU).
 */
export function appendLine(line: string): void {
  if (sink === null) return;
  turnLines.push(line);
  if (!turnScheduled) {
    turnScheduled = true;
    setImmediate(writeTurnLines);
  }
}

/** Writes out buffered log lines now (shutdown paths call this before `process.exit`). */
export function flushLogs(): void {
  try {
    writeTurnLines();
    sink?.destination.flushSync?.();
  } catch {
    // Nothing buffered, or stdout is gone: there is nowhere left to report it.
  }
}

const LEVEL_TAG: Readonly<Record<string, string>> = { trace: 'VERB', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'FATAL' };
const LINE_FIELDS = new Set(['level', 'time', 'app', 'pid', 'context', 'msg']);

/** `LLMP_LOG_FORMAT=pretty`: the same (already scrubbed) objects, one readable line each, for a terminal. */
function prettyDestination(): DestinationStream {
  return {
    write(line: string): void {
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(line) as Record<string, unknown>;
      } catch {
        process.stdout.write(line);
        return;
      }
      const time = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 23) : '';
      const rest = Object.entries(o)
        .filter(([k]) => !LINE_FIELDS.has(k))
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      const context = o.context ? `[${String(o.context)}] ` : '';
      process.stdout.write(`${time} ${LEVEL_TAG[String(o.level)] ?? String(o.level)} ${o.app}: ${context}${String(o.msg ?? '')}${rest ? `  ${rest}` : ''}\n`);
    },
  };
}
