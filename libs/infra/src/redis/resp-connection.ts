import { EventEmitter } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions as TlsOptions } from 'node:tls';
import type { Redis } from 'ioredis';
import { RespError, RespReader, type RespValue } from './resp-reader';

export { RespError, type RespValue } from './resp-reader';

/** One RESP bulk string (`$len\r\n…\r\n`); numbers are sent in decimal. */
export function bulk(value: string | number): string {
  const s = typeof value === 'number' ? String(value) : value;
  return `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
}

/** Arguments as consecutive bulk strings (a command without its array header). */
export function bulks(args: readonly (string | number)[]): string {
  let out = '';
  for (const a of args) out += bulk(a);
  return out;
}

/** A whole command as RESP (an array of bulk strings). */
export function encodeCommand(args: readonly (string | number)[]): string {
  return `*${args.length}\r\n${bulks(args)}`;
}

export interface RespConnectionOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: TlsOptions;
  /** Prepended to key names by the callers that encode keys (ioredis's `keyPrefix`, same meaning). */
  keyPrefix?: string;
  /** A command without a reply after this long rejects with `Command timed out` (the connection stays). */
  commandTimeoutMs: number;
  connectTimeoutMs?: number;
  /**
   * A connection that has answered nothing for this long after a command timed out is closed and reopened (a
   * silently dropped connection never answers again). Default 10 s.
   */
  stallCloseMs?: number;
}

export type RespStatus = 'connecting' | 'ready' | 'reconnecting' | 'end';

interface Pending {
  resolve: (value: RespValue) => void;
  reject: (error: Error) => void;
  deadline: number;
  /** Timed out: its reply, when it comes, is dropped. */
  done: boolean;
}

/**
 * A lean Redis connection for the hot path: commands arrive already encoded as RESP, are written once per event-loop
 * turn (all commands of the turn in one write), and replies are matched in order. No offline queue: while the
 * connection is not ready a command rejects at once, so a Redis outage costs a request microseconds. Reconnects by
 * itself (200 ms × attempts, at most 2 s) and emits `ready` each time it is usable again.
 *
 * A hung Redis (paused, overloaded, a dropped network path) keeps the socket open and answers nothing: the first
 * command past its deadline marks the connection `stalled` (emitted once), and from then on commands reject at once
 * instead of each waiting out the timeout. The next reply of any command ends the stall (`ready` again); a stall
 * longer than `stallCloseMs` closes the socket and reconnects.
 *
 * Why not ioredis here: per command, ioredis flattens and converts the arguments, walks them again for the key
 * prefix, builds a Command with its own promise and timers and writes per command; on the admission path that was
 * about a tenth of the data plane's CPU. The rest of llmp keeps ioredis.
 */
export class RespConnection extends EventEmitter {
  status: RespStatus = 'connecting';
  /** Ready, but a command timed out and nothing has answered since. */
  stalled = false;
  readonly keyPrefix: string;
  private socket: Socket | null = null;
  private readonly reader = new RespReader((v) => this.onReply(v));
  private queue: Pending[] = [];
  private head = 0;
  private out: string[] = [];
  private flushScheduled = false;
  private attempts = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** Runs only while commands wait for replies: an idle replica is not woken 1000/(timeout/4) times a second. */
  private sweep: NodeJS.Timeout | null = null;

  constructor(private readonly opts: RespConnectionOptions) {
    super();
    this.keyPrefix = opts.keyPrefix ?? '';
    this.open();
  }

  /** A connection to the same server, credentials, db and key prefix as an ioredis client. */
  static like(client: Redis, opts: Pick<RespConnectionOptions, 'commandTimeoutMs'>): RespConnection {
    const o = client.options;
    return new RespConnection({
      host: o.host ?? '127.0.0.1',
      port: o.port ?? 6379,
      username: o.username,
      password: o.password,
      db: o.db,
      tls: o.tls,
      keyPrefix: o.keyPrefix,
      connectTimeoutMs: o.connectTimeout,
      commandTimeoutMs: opts.commandTimeoutMs,
    });
  }

  /** Sends one RESP-encoded command; resolves with its reply, rejects with an error reply or a connection error. */
  send(command: string): Promise<RespValue> {
    if (this.status !== 'ready') return Promise.reject(new Error(`Connection is ${this.status}`));
    if (this.stalled) return Promise.reject(new Error('Connection is stalled'));
    return this.enqueue(command);
  }

  /** Commands sent now are expected to be answered: ready and not stalled. */
  get usable(): boolean {
    return this.status === 'ready' && !this.stalled;
  }

  /** Waits for the replies already asked for, then closes; no reconnect afterwards. */
  async quit(): Promise<void> {
    if (this.status === 'end') return;
    const wasReady = this.status === 'ready';
    this.status = 'end';
    this.stopTimers();
    if (wasReady) {
      try {
        await this.enqueue(encodeCommand(['QUIT']));
      } catch {
        // Closed before the reply: closed either way.
      }
    }
    this.socket?.destroy();
  }

  /** Closes at once; pending commands reject. */
  disconnect(): void {
    this.status = 'end';
    this.stopTimers();
    this.socket?.destroy();
  }

  private enqueue(command: string): Promise<RespValue> {
    return new Promise<RespValue>((resolve, reject) => {
      this.queue.push({ resolve, reject, deadline: Date.now() + this.opts.commandTimeoutMs, done: false });
      this.out.push(command);
      if (this.sweep === null) {
        this.sweep = setInterval(() => this.expire(), Math.max(5, Math.floor(this.opts.commandTimeoutMs / 4)));
        this.sweep.unref();
      }
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes the commands queued so far now instead of at the end of the turn. */
  flush(): void {
    this.flushScheduled = false;
    if (this.out.length === 0) return;
    const data = this.out.length === 1 ? this.out[0] : this.out.join('');
    this.out = [];
    this.socket?.write(data);
  }

  private onReply(value: RespValue): void {
    const p = this.queue[this.head];
    if (p === undefined) {
      this.socket?.destroy(new Error('Redis protocol error: a reply without a command'));
      return;
    }
    this.queue[this.head++] = undefined as unknown as Pending;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.stalled) {
      this.stalled = false;
      if (this.status === 'ready') this.emit('ready');
    }
    if (p.done) return;
    p.done = true;
    if (value instanceof RespError) p.reject(value);
    else p.resolve(value);
  }

  /** Rejects commands past their deadline; they stay in line so their late replies are matched and dropped. */
  private expire(): void {
    if (this.head >= this.queue.length) {
      this.stopSweep();
      return;
    }
    const now = Date.now();
    if (this.stalled && now - this.queue[this.head].deadline > (this.opts.stallCloseMs ?? 10_000)) {
      this.socket?.destroy(new Error('Redis answered nothing for too long'));
      return;
    }
    for (let i = this.head; i < this.queue.length; i++) {
      const p = this.queue[i];
      if (p.deadline > now) return;
      if (!p.done) {
        p.done = true;
        p.reject(new Error('Command timed out'));
        if (!this.stalled && this.status === 'ready') {
          this.stalled = true;
          this.emit('stalled');
        }
      }
    }
  }

  private open(): void {
    const { host, port } = this.opts;
    const socket = this.opts.tls ? tlsConnect({ host, port, ...this.opts.tls }) : netConnect({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    const connectTimer = setTimeout(() => socket.destroy(new Error('connect timed out')), this.opts.connectTimeoutMs ?? 2000);
    socket.once(this.opts.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(connectTimer);
      void this.handshake();
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        this.reader.feed(chunk);
      } catch (e) {
        socket.destroy(e as Error);
      }
    });
    socket.on('error', (e) => this.report(e));
    socket.once('close', () => {
      clearTimeout(connectTimer);
      this.onClose(socket);
    });
  }

  private async handshake(): Promise<void> {
    const steps: Promise<RespValue>[] = [];
    if (this.opts.password) {
      steps.push(this.enqueue(encodeCommand(this.opts.username ? ['AUTH', this.opts.username, this.opts.password] : ['AUTH', this.opts.password])));
    }
    if (this.opts.db) steps.push(this.enqueue(encodeCommand(['SELECT', this.opts.db])));
    steps.push(this.enqueue(encodeCommand(['PING'])));
    try {
      await Promise.all(steps);
    } catch (e) {
      this.report(e as Error);
      this.socket?.destroy();
      return;
    }
    if (this.status === 'end') return;
    this.attempts = 0;
    this.status = 'ready';
    this.emit('ready');
  }

  private onClose(socket: Socket): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.stalled = false;
    this.reader.reset();
    const pending = this.queue;
    const from = this.head;
    this.queue = [];
    this.head = 0;
    this.out = [];
    for (let i = from; i < pending.length; i++) {
      const p = pending[i];
      if (!p.done) {
        p.done = true;
        p.reject(new Error('Connection is closed.'));
      }
    }
    if (this.status === 'end') return;
    this.status = 'reconnecting';
    this.emit('close');
    this.attempts++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.status !== 'end') this.open();
    }, Math.min(this.attempts * 200, 2000));
    this.reconnectTimer.unref();
  }

  /** Connection trouble is reported as `error` events to whoever listens; reconnecting is this class's own job. */
  private report(e: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', e);
  }

  private stopSweep(): void {
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = null;
  }

  private stopTimers(): void {
    this.stopSweep();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }
}
