import type { Endpoint, ProviderConfig } from '@llmp/common';
import { openAiToOllamaRequest } from '@llmp/common';
import type { RouteTarget, UpstreamCall } from '../../routing.types';
import type { RequestMapper } from '../provider-mappers';
import { versionedPath } from '../translated-provider.helpers';

/** Canonical chat body → Ollama's native `POST /api/chat`. */
export class OllamaRequestMapper implements RequestMapper {
  path(endpoint: Endpoint, _stream: boolean, target: RouteTarget): string | undefined {
    return endpoint === 'chat' ? versionedPath(target.provider, 'api', '/chat') : undefined;
  }

  headers(provider: ProviderConfig): Record<string, string> {
    const h: Record<string, string> = { 'content-type': 'application/json' };
    // Ollama itself has no auth; a key is for a reverse proxy in front of it.
    if (provider.apiKey) h.authorization = `Bearer ${provider.apiKey}`;
    if (provider.headers) Object.assign(h, provider.headers);
    return h;
  }

  body(target: RouteTarget, call: UpstreamCall): string {
    return JSON.stringify(openAiToOllamaRequest(call.body, target.model, call.stream));
  }
}
