import type { Endpoint } from '@llmp/common';
import { UpstreamFailure } from '../../http/upstream-failure';
import type { ResponseMapper } from '../provider-mappers';

/** OpenAI-compatible answers are already canonical: check the shape, hand the object over untouched. */
export class OpenAiResponseMapper implements ResponseMapper {
  map(_endpoint: Endpoint, body: unknown): Record<string, unknown> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new UpstreamFailure('invalid-response', null, 'upstream answered 2xx with a body that is not a JSON object');
    }
    const obj = body as Record<string, unknown>;
    // Some servers answer 200 with an error object; that is a failed attempt, not an answer.
    if (obj.error !== undefined && obj.error !== null && obj.choices === undefined && obj.data === undefined) {
      throw new UpstreamFailure('invalid-response', null, `upstream answered 2xx with an error: ${this.errorMessage(obj) ?? 'unknown'}`);
    }
    return obj;
  }

  errorMessage(body: unknown): string | undefined {
    if (typeof body === 'string') return body;
    if (body === null || typeof body !== 'object') return undefined;
    const err = (body as { error?: unknown }).error;
    if (typeof err === 'string') return err;
    if (err && typeof err === 'object') {
      const msg = (err as { message?: unknown }).message;
      if (typeof msg === 'string') return msg;
    }
    const msg = (body as { message?: unknown }).message;
    return typeof msg === 'string' ? msg : undefined;
  }
}
