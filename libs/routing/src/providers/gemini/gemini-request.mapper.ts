import type { Endpoint, ProviderConfig } from '@llmp/common';
import { openAiToGeminiRequest } from '@llmp/common';
import type { RouteTarget, UpstreamCall } from '../../routing.types';
import type { RequestMapper } from '../provider-mappers';
import { versionedPath } from '../translated-provider.helpers';

/** Canonical chat body → Gemini `models/{model}:generateContent` (or `:streamGenerateContent?alt=sse`). */
export class GeminiRequestMapper implements RequestMapper {
  path(endpoint: Endpoint, stream: boolean, target: RouteTarget): string | undefined {
    if (endpoint !== 'chat') return undefined;
    const model = encodeURIComponent(target.model.replace(/^models\//, ''));
    const action = stream ? ':streamGenerateContent?alt=sse' : ':generateContent';
    return versionedPath(target.provider, 'v1beta', `/models/${model}${action}`);
  }

  headers(provider: ProviderConfig): Record<string, string> {
    const h: Record<string, string> = { 'content-type': 'application/json' };
    if (provider.apiKey) h['x-goog-api-key'] = provider.apiKey;
    if (provider.headers) Object.assign(h, provider.headers);
    return h;
  }

  body(_target: RouteTarget, call: UpstreamCall): string {
    return JSON.stringify(openAiToGeminiRequest(call.body));
  }
}
