import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EnvConfig } from '../config/env.config';
import { redactSecrets } from '@llmp/common';
import { ENV_CONFIG } from '../tokens';
import { appendLine, openedLogSink, type Sink } from './log-sink';

const str = (v: string | null): string => (v === null ? 'null' : JSON.stringify(v));
/** As JSON.stringify writes a number (NaN and infinities as null). */
const num = (v: number): string => (Number.isFinite(v) ? String(v) : 'null');

/** One finished `/v1` request, as the access log writes it. Built once per request, at settlement. */
export interface AccessLine {
  method: string;
  path: string;
  status: number;
  surface: string;
  model: string | null;
  provider: string | null;
  durationMs: number;
  upstreamMs: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  requestId: string;
  keyId: string | null;
  errorCode: string | null;
}

/** What a key with `debugLogging` on has logged: its request and response bodies, secrets still redacted. */
export interface BodyLine {
  requestId: string;
  keyId: string | null;
  request: unknown;
  response: unknown;
}

/**
 * The line pino writes for `access.info(line, 'request')` (same fields, same order, newline included), built
 * directly: pino's generic serialisation of the object was about 2% of the data plane's CPU.
 */
export function accessLineJson(baseJson: string, time: number, l: AccessLine): string {
  return (
    `{"level":"info","time":${time},${baseJson},"method":${str(l.method)},"path":${str(l.path)},` +
    `"status":${num(l.status)},"surface":${str(l.surface)},"model":${str(l.model)},"provider":${str(l.provider)},` +
    `"durationMs":${num(l.durationMs)},"upstreamMs":${num(l.upstreamMs)},"promptTokens":${num(l.promptTokens)},` +
    `"completionTokens":${num(l.completionTokens)},"totalTokens":${num(l.totalTokens)},"requestId":${str(l.requestId)},` +
    `"keyId":${str(l.keyId)},"errorCode":${str(l.errorCode)},"msg":"request"}\n`
  );
}

/**
 * The access log and the per-key body log. Off (both) when the process never opened a log sink (in-process tests) or
 * when `LLMP_ACCESS_LOG=false` (the access line only). Independent of LLMP_LOG_LEVEL: an install that only wants
 * warnings from the app still gets one line per request unless it turns the access log off.
 */
@Injectable()
export class AccessLog {
  /** Whether `request` writes anything; callers check it before building a line. */
  readonly enabled: boolean;
  private readonly sink: Sink | null;
  private readonly logger: Logger | null;

  constructor(@Inject(ENV_CONFIG) env: EnvConfig) {
    this.sink = openedLogSink();
    this.logger = this.sink?.access ?? null;
    this.enabled = this.logger !== null && env.accessLog;
  }

  request(line: AccessLine): void {
    if (this.sink === null) return;
    appendLine(accessLineJson(this.sink.baseJson, Date.now(), line));
  }

  /** Only for keys whose `debugLogging` flag is on; never called otherwise. */
  bodies(line: BodyLine): void {
    this.logger?.debug(redactSecrets(line) as object, 'request and response bodies (debugLogging is on for this key)');
  }
}
