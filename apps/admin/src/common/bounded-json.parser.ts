import { BadRequestException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RawServerDefault } from 'fastify';
import { JSON_TOO_DEEP_MESSAGE, jsonTextDepth, MAX_JSON_DEPTH } from '@llmp/common';

/**
 * The control plane's `application/json` parser: Fastify's own (prototype-poisoning checks included), behind a
 * nesting check on the text. JSON.parse spends seconds of CPU on a megabyte of `[[[[` before the UnsafeInputPipe
 * could look at the parsed value; the text scan answers the 400 in about a millisecond. Call before `app.init()`.
 */
export function installBoundedJsonParser(app: NestFastifyApplication, bodyLimit: number): void {
  const parseJson = app.getHttpAdapter().getInstance().getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit }, (req, body, done) => {
    const text = body.toString('utf8');
    if (jsonTextDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      done(new BadRequestException(JSON_TOO_DEEP_MESSAGE), undefined);
      return;
    }
    parseJson(req, text, done);
  });
}
