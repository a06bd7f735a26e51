import { BadRequestException, Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { jsonDepth, MAX_JSON_DEPTH } from '@llmp/common';

/**
 * `\u0000` or a lone surrogate as JSON.stringify writes them (an odd run of backslashes, so a literal `\\u0000`
 * typed by a user does not match): paired surrogates are written as characters, lone ones always as escapes.
 */
const UNSTORABLE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/**
 * Refuses input no admin document needs and that would fail deeper down with a 500: bodies nested past
 * MAX_JSON_DEPTH (the ValidationPipe's recursive transform overflows the stack), and NUL characters or lone
 * surrogates anywhere in a body, query or path parameter (Postgres text and jsonb cannot hold them, the database
 * driver refuses them). Runs before the ValidationPipe.
 */
@Injectable()
export class UnsafeInputPipe implements PipeTransform {
  transform(value: unknown, meta: ArgumentMetadata): unknown {
    if (meta.type === 'custom' || value === undefined) return value;
    if (jsonDepth(value) > MAX_JSON_DEPTH) {
      throw new BadRequestException(`The request ${meta.type} is nested too deeply (at most ${MAX_JSON_DEPTH} levels).`);
    }
    if (UNSTORABLE.test(JSON.stringify(value))) {
      throw new BadRequestException(`The request ${meta.type} contains a NUL character or invalid Unicode (a lone surrogate).`);
    }
    return value;
  }
}
