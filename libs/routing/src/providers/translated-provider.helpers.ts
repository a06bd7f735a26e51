import type { ProviderConfig } from '@llmp/common';
import { ErrorCode, LlmpError, isObject, type Json } from '@llmp/common';
import { upstreamReason } from '../http/upstream-text';
import { UpstreamFailure } from '../http/upstream-failure';
import { OpenAiResponseMapper } from './openai/openai-response.mapper';

// Anthropic, Gemini and Ollama all put their message at error.message or error; OpenAI's reader covers them.
const reader = new OpenAiResponseMapper();

/** Shared by the adapters that translate a provider's own format to the canonical one. */
export function upstreamErrorMessage(body: unknown): string | undefined {
  return reader.errorMessage(body);
}

/** An upstream 4xx re-enveloped in OpenAI's error shape, keeping the provider's message. */
export function openAiErrorEnvelope(status: number, body: unknown, providerType: string): Buffer {
  const message = upstreamErrorMessage(body) ?? `upstream ${providerType} provider answered HTTP ${status}`;
  const type = status === 401 ? 'authentication_error' : status === 403 ? 'permission_error' : status === 404 ? 'not_found_error' : 'invalid_request_error';
  return Buffer.from(JSON.stringify({ error: { message, type, param: null, code: null } }));
}

/** The 2xx body as an object, or a failed attempt the router may fail over on. */
export function requireObject(body: unknown, providerType: string): Json {
  if (!isObject(body)) throw new UpstreamFailure('invalid-response', null, `${providerType} upstream answered 2xx with a body that is not a JSON object`);
  if (body.error !== undefined && body.error !== null && body.type === 'error') {
    throw new UpstreamFailure('invalid-response', null, `${providerType} upstream answered 2xx with an error: ${upstreamErrorMessage(body) ?? 'unknown'}`);
  }
  return body;
}

/** One stream event's data as an object; anything else is a broken stream. */
export function parseEventData(data: string, provider: ProviderConfig): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new LlmpError(ErrorCode.ProviderError, `upstream ${provider.type} stream sent an event that is not JSON`);
  }
  if (!isObject(parsed)) throw new LlmpError(ErrorCode.ProviderError, `upstream ${provider.type} stream sent an event that is not a JSON object`);
  if (isObject(parsed.error) || typeof parsed.error === 'string') {
    const msg = upstreamErrorMessage(parsed) ?? 'unknown error';
    throw new LlmpError(ErrorCode.ProviderError, `upstream reported an error mid-stream: ${upstreamReason(msg)}`);
  }
  return parsed;
}

/** A path under a base URL that may or may not already end in the API version segment. */
export function versionedPath(provider: ProviderConfig, version: string, rest: string): string {
  const base = provider.baseUrl ? new URL(provider.baseUrl).pathname.replace(/\/+$/, '') : '';
  return base.endsWith(`/${version}`) ? rest : `/${version}${rest}`;
}
