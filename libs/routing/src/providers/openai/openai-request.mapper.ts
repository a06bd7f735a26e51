import type { Endpoint, ProviderConfig } from '@llmp/common';
import type { RouteTarget, UpstreamCall } from '../../routing.types';
import type { RequestMapper } from '../provider-mappers';

const PATHS: Partial<Record<Endpoint, string>> = {
  chat: '/chat/completions',
  completions: '/completions',
  embeddings: '/embeddings',
};

/** OpenAI-compatible servers take the canonical body as is; only `model` changes to the target's id. */
export class OpenAiRequestMapper implements RequestMapper {
  path(endpoint: Endpoint): string | undefined {
    return PATHS[endpoint];
  }

  headers(provider: ProviderConfig): Record<string, string> {
    const h: Record<string, string> = { 'content-type': 'application/json' };
    if (provider.apiKey) h.authorization = `Bearer ${provider.apiKey}`;
    // Static headers come from the config file only (e.g. OpenRouter's HTTP-Referer), never from clients.
    if (provider.headers) Object.assign(h, provider.headers);
    return h;
  }

  body(target: RouteTarget, call: UpstreamCall): string {
    // One shallow copy and one serialization: the body is otherwise forwarded field for field, unknown fields kept.
    return JSON.stringify({ ...call.body, model: target.model });
  }
}
