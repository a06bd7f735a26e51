import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Logger, Level } from 'pino';
import type { EnvConfig } from '../config/env.config';
import { openLogSink, PINO_LEVEL } from './log-sink';

/**
 * Nest's `LoggerService` on pino, so every `new Logger(Class.name)` call in llmp writes one structured JSON line.
 * A message object (`{ msg, requestId, keyId, ... }`) becomes the line's fields; the Nest context becomes `context`.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  setLogLevels(levels: LogLevel[]): void {
    const order: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];
    const lowest = order.find((l) => levels.includes(l));
    if (lowest) this.pino.level = PINO_LEVEL[lowest];
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    // Nest appends the context (the Logger's name) as the last string argument.
    const rest = params.length > 0 && typeof params[params.length - 1] === 'string' ? params.slice(0, -1) : params;
    if (rest !== params) fields.context = params[params.length - 1];
    let msg: string | undefined;
    if (message instanceof Error) {
      fields.err = { type: message.name, message: message.message, stack: message.stack };
      msg = message.message;
    } else if (message !== null && typeof message === 'object') {
      const { msg: m, message: m2, ...others } = message as Record<string, unknown>;
      Object.assign(fields, others);
      msg = typeof m === 'string' ? m : typeof m2 === 'string' ? m2 : undefined;
    } else {
      msg = String(message);
    }
    // `error(message, stack, context)`: a stack trace as the first extra argument.
    if (rest.length > 0 && typeof rest[0] === 'string' && rest[0].includes('\n')) fields.stack = rest.shift();
    if (rest.length > 0) fields.extra = rest.length === 1 ? rest[0] : rest;
    this.pino[level](fields, msg);
  }
}

/** The Nest logger of one process (`api`, `admin`, `worker`), writing through the process's pino sink. */
export function createNestLogger(app: string, env: Pick<EnvConfig, 'logLevel' | 'logFormat'>): PinoNestLogger {
  return new PinoNestLogger(openLogSink({ app, level: env.logLevel, format: env.logFormat }).app);
}
