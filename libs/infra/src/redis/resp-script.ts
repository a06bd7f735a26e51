import { createHash } from 'node:crypto';
import { bulk, RespError, type RespConnection, type RespValue } from './resp-connection';

/**
 * A Lua script run by EVALSHA over a RespConnection, falling back to EVAL (which also loads it) when the server
 * answers NOSCRIPT (a restarted or flushed Redis). Callers pass the rest of the command already encoded.
 */
export class RespScript {
  private readonly evalsha: string;
  private readonly evalFull: string;

  constructor(lua: string) {
    this.evalsha = bulk('EVALSHA') + bulk(createHash('sha1').update(lua).digest('hex'));
    this.evalFull = bulk('EVAL') + bulk(lua);
  }

  /**
   * `body` holds numkeys, the keys and the arguments as RESP bulk strings; `count` is how many bulk strings that is.
   */
  run(conn: RespConnection, count: number, body: string): Promise<RespValue> {
    const header = `*${count + 2}\r\n`;
    return conn.send(header + this.evalsha + body).catch((e: unknown) => {
      if (e instanceof RespError && e.message.startsWith('NOSCRIPT')) return conn.send(header + this.evalFull + body);
      throw e;
    });
  }
}
