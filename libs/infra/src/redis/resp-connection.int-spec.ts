import { randomBytes } from 'node:crypto';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import type { Redis } from 'ioredis';
import { createRedis } from './redis.factory';
import { encodeCommand, RespConnection, RespError } from './resp-connection';
import { RespScript } from './resp-script';

const ready = (c: RespConnection) => new Promise<void>((resolve) => (c.status === 'ready' ? resolve() : c.once('ready', resolve)));

describe('RespConnection (real Redis)', () => {
  let redis: Redis;
  const prefix = process.env.LLMP_REDIS_PREFIX!;
  const open: RespConnection[] = [];

  function connection(commandTimeoutMs = 2000): RespConnection {
    const c = RespConnection.like(redis, { commandTimeoutMs });
    open.push(c);
    return c;
  }

  beforeAll(() => {
    redis = createRedis(process.env.REDIS_URL!, { keyPrefix: prefix });
  });
  afterAll(async () => {
    for (const c of open) c.disconnect();
    await redis.quit();
  });

  it('uses the ioredis client\'s server, db and key prefix, and reads every reply type', async () => {
    const c = connection();
    await ready(c);
    expect(c.keyPrefix).toBe(prefix);
    const key = `${prefix}resp:${randomBytes(4).toString('hex')}`;
    expect(await c.send(encodeCommand(['SET', key, 'grüße\r\nzwei']))).toBe('OK');
    // The ioredis client (same db, with the prefix applied by ioredis) sees what the lean connection wrote.
    expect(await redis.get(key.slice(prefix.length))).toBe('grüße\r\nzwei');
    expect(await c.send(encodeCommand(['GET', key]))).toBe('grüße\r\nzwei');
    expect(await c.send(encodeCommand(['GET', `${key}:missing`]))).toBeNull();
    expect(await c.send(encodeCommand(['RPUSH', `${key}:l`, 'a', 'b', 3]))).toBe(3);
    expect(await c.send(encodeCommand(['LRANGE', `${key}:l`, 0, -1]))).toEqual(['a', 'b', '3']);
    await expect(c.send(encodeCommand(['INCR', key]))).rejects.toThrow(RespError);
    await redis.del(key.slice(prefix.length), `${key.slice(prefix.length)}:l`);
  });

  it('matches many concurrent replies to their commands, in order, with large replies split across reads', async () => {
    const c = connection();
    await ready(c);
    const key = `${prefix}resp:${randomBytes(4).toString('hex')}`;
    const big = 'x'.repeat(3_000_000);
    const results = await Promise.all([
      ...Array.from({ length: 2000 }, () => c.send(encodeCommand(['INCR', key]))),
      c.send(encodeCommand(['SET', `${key}:big`, big])),
      c.send(encodeCommand(['GET', `${key}:big`])),
      c.send(encodeCommand(['INCR', key])),
    ]);
    expect(results.slice(0, 2000)).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    expect(results.slice(2000)).toEqual(['OK', big, 2001]);
    await redis.del(key.slice(prefix.length), `${key.slice(prefix.length)}:big`);
  });

  it('commands past their timeout reject; their late replies are dropped and later commands get their own', async () => {
    const c = connection(150);
    await ready(c);
    const list = `${prefix}resp:empty:${randomBytes(4).toString('hex')}`;
    // BLPOP on an empty list answers (nil) after 0.5 s: well past the 150 ms command timeout.
    const slow = c.send(encodeCommand(['BLPOP', list, '0.5']));
    const next = c.send(encodeCommand(['ECHO', 'after']));
    await expect(slow).rejects.toThrow('Command timed out');
    await expect(next).rejects.toThrow('Command timed out');
    // The late replies are matched to the timed-out commands and dropped.
    await new Promise((r) => setTimeout(r, 600));
    expect(await c.send(encodeCommand(['ECHO', 'later']))).toBe('later');
    // Idle again, so the timeout sweep has stopped (it runs only while commands wait); a new slow command restarts it.
    await new Promise((r) => setTimeout(r, 200));
    await expect(c.send(encodeCommand(['BLPOP', list, '0.5']))).rejects.toThrow('Command timed out');
  });

  it('when the server drops it: pending commands reject, new ones fail fast, and it comes back by itself', async () => {
    const c = connection();
    await ready(c);
    const id = await c.send(encodeCommand(['CLIENT', 'ID']));
    const list = `${prefix}resp:empty:${randomBytes(4).toString('hex')}`;
    const pending = c.send(encodeCommand(['BLPOP', list, '5']));
    await new Promise((r) => setTimeout(r, 50));
    await redis.client('KILL', 'ID', String(id));
    await expect(pending).rejects.toThrow('Connection is closed.');
    expect(c.status).toBe('reconnecting');
    await expect(c.send(encodeCommand(['PING']))).rejects.toThrow('Connection is reconnecting');
    await ready(c);
    expect(await c.send(encodeCommand(['PING']))).toBe('PONG');
  });

  it('runs scripts by EVALSHA, loading them by EVAL when the server does not know them', async () => {
    const c = connection();
    await ready(c);
    // A script text no server has seen: the first call meets NOSCRIPT and falls back to EVAL.
    const script = new RespScript(`-- ${randomBytes(8).toString('hex')}\nreturn {KEYS[1], ARGV[1], tonumber(ARGV[2]) + 1}`);
    const key = `${prefix}resp:k`;
    const body = `$1\r\n1\r\n$${Buffer.byteLength(key)}\r\n${key}\r\n$2\r\nhi\r\n$2\r\n41\r\n`;
    expect(await script.run(c, 4, body)).toEqual([key, 'hi', 42]);
    expect(await script.run(c, 4, body)).toEqual([key, 'hi', 42]);
    await expect(new RespScript('return redis.call("NOPE")').run(c, 1, '$1\r\n0\r\n')).rejects.toThrow(RespError);
  });

  it('with no server listening: no uncaught error, commands fail fast, and it keeps trying', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const c = new RespConnection({ host: '127.0.0.1', port, commandTimeoutMs: 200, connectTimeoutMs: 200 });
    open.push(c);
    await new Promise((r) => setTimeout(r, 300));
    expect(c.status).toBe('reconnecting');
    await expect(c.send(encodeCommand(['PING']))).rejects.toThrow('Connection is reconnecting');
    c.disconnect();
    expect(c.status).toBe('end');
  });

  it('a server that stops answering: stalled at the first timeout (once), fails fast, ready again at the next reply', async () => {
    // A fake Redis that answers the handshake, then holds every reply until told to release them.
    let hold = false;
    let held: Socket | null = null;
    let heldReplies = 0;
    const fake = createServer((s) => {
      s.on('data', (d: Buffer) => {
        const commands = d.toString().split('*').length - 1;
        if (hold) {
          held = s;
          heldReplies += commands;
        } else s.write('+PONG\r\n'.repeat(commands));
      });
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    const c = new RespConnection({ host: '127.0.0.1', port: (fake.address() as AddressInfo).port, commandTimeoutMs: 100 });
    open.push(c);
    await ready(c);
    const stalls: number[] = [];
    const readies: number[] = [];
    c.on('stalled', () => stalls.push(Date.now()));
    c.on('ready', () => readies.push(Date.now()));
    hold = true;
    const t0 = Date.now();
    await expect(Promise.all([c.send(encodeCommand(['PING'])), c.send(encodeCommand(['PING']))])).rejects.toThrow('Command timed out');
    expect(Date.now() - t0).toBeLessThan(400);
    expect([c.stalled, c.usable, stalls.length]).toEqual([true, false, 1]);
    const t1 = Date.now();
    await expect(c.send(encodeCommand(['PING']))).rejects.toThrow('Connection is stalled');
    expect(Date.now() - t1).toBeLessThan(20);
    expect(stalls.length).toBe(1);
    // The late replies arrive: the connection is usable again and says so.
    hold = false;
    (held as Socket | null)?.write('+PONG\r\n'.repeat(heldReplies));
    await new Promise((r) => setTimeout(r, 50));
    expect([c.stalled, c.usable, readies.length]).toEqual([false, true, 1]);
    expect(await c.send(encodeCommand(['PING']))).toBe('PONG');
    c.disconnect();
    await new Promise<void>((r) => fake.close(() => r()));
  });

  it('a stall longer than stallCloseMs closes the connection and reconnects', async () => {
    let connections = 0;
    let silent = false;
    const fake = createServer((s) => {
      connections++;
      s.on('data', (d: Buffer) => {
        if (!silent) s.write('+PONG\r\n'.repeat(d.toString().split('*').length - 1));
      });
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    const c = new RespConnection({ host: '127.0.0.1', port: (fake.address() as AddressInfo).port, commandTimeoutMs: 50, stallCloseMs: 200 });
    open.push(c);
    await ready(c);
    silent = true;
    await expect(c.send(encodeCommand(['PING']))).rejects.toThrow('Command timed out');
    silent = false;
    await new Promise((r) => setTimeout(r, 800));
    expect(connections).toBeGreaterThanOrEqual(2);
    expect(c.usable).toBe(true);
    c.disconnect();
    await new Promise<void>((r) => fake.close(() => r()));
  });

  it('quit waits for the replies already asked for and does not reconnect', async () => {
    const c = connection();
    await ready(c);
    const echo = c.send(encodeCommand(['ECHO', 'last']));
    await c.quit();
    expect(await echo).toBe('last');
    expect(c.status).toBe('end');
    await expect(c.send(encodeCommand(['PING']))).rejects.toThrow('Connection is end');
  });
});
