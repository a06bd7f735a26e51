import type { Endpoint, ProviderConfig } from '@llmp/common';
import { openAiToAnthropicRequest } from '@llmp/common';
import type { RouteTarget, UpstreamCall } from '../../routing.types';
import type { RequestMapper } from '../provider-mappers';
import { versionedPath } from '../translated-provider.helpers';

/** The API version llmp speaks; pinned so a provider-side default change cannot alter the wire format. */
export const ANTHROPIC_VERSION = '2023-06-01';

/** Canonical chat body → Anthropic Messages API (`POST /v1/messages`). */
export class AnthropicRequestMapper implements RequestMapper {
  path(endpoint: Endpoint, _stream: boolean, target: RouteTarget): string | undefined {
    return endpoint === 'chat' ? versionedPath(target.provider, 'v1', '/messages') : undefined;
  }

  headers(provider: ProviderConfig): Record<string, string> {
    const h: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': ANTHROPIC_VERSION };
    if (provider.apiKey) h['x-api-key'] = provider.apiKey;
    if (provider.headers) Object.assign(h, provider.headers);
    return h;
  }

  body(target: RouteTarget, call: UpstreamCall): string {
    return JSON.stringify(openAiToAnthropicRequest(call.body, target.model, call.stream));
  }
}
