import type { FastifyRequest } from 'fastify';
import { ErrorCode, LlmpError, refuseForeignOutputFields, type CanonicalRequest, type Endpoint, type OutputFieldRules } from '@llmp/common';
import { extractCredentials } from './credentials';
import { requireJsonObject } from './json-object-body';
import { boundedModelName } from './model-name';
import { ledgerRequestId } from './request-id';

/**
 * Body fields that could steer the upstream (URL, credentials, headers). Clients can never choose where a request
 * goes or with which credential, so these are dropped before anything else sees the body.
 */
const STEERING_FIELDS = [
  'api_base', 'base_url', 'api_key', 'api_version', 'extra_headers', 'extra_query', 'extra_body', 'headers',
  'custom_llm_provider', 'organization', 'deployment_id', 'aws_access_key_id', 'aws_secret_access_key',
  'vertex_credentials', 'metadata_api_key',
  // SDK spellings and router hints (OpenRouter's `provider` picks the upstream's own upstream).
  'baseURL', 'baseUrl', 'apiBase', 'apiKey', 'api_type', 'azure_endpoint', 'provider',
] as const;

/** The output-limit and choice fields each OpenAI endpoint owns; any other spelling is refused by name. */
const OUTPUT_RULES: Partial<Record<Endpoint, OutputFieldRules>> = {
  chat: {
    own: ['max_tokens', 'max_completion_tokens', 'n'],
    where: '/v1/chat/completions',
    hint: 'limit the output with max_tokens or max_completion_tokens, the choices with n',
  },
  completions: {
    own: ['max_tokens', 'n', 'best_of'],
    where: '/v1/completions',
    hint: 'limit the output with max_tokens, the choices with n or best_of',
  },
};

function invalid(message: string, param?: string): LlmpError {
  return new LlmpError(ErrorCode.InvalidRequest, message, { param });
}

function withoutSteering(body: Record<string, unknown>): Record<string, unknown> {
  let out = body;
  for (const f of STEERING_FIELDS) {
    if (f in out) {
      if (out === body) out = { ...body };
      delete out[f];
    }
  }
  return out;
}

/** Validates only what llmp enforces; every other field passes through untouched. */
function validate(endpoint: Endpoint, body: Record<string, unknown>): void {
  if (typeof body.model !== 'string' || !body.model.trim()) {
    throw invalid('you must provide a model parameter', 'model');
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw invalid('`stream` must be a boolean', 'stream');
  switch (endpoint) {
    case 'chat':
      if (!Array.isArray(body.messages) || body.messages.length === 0) {
        throw invalid("'messages' is a required property and must be a non-empty array", 'messages');
      }
      for (const [i, m] of body.messages.entries()) {
        if (m === null || typeof m !== 'object' || typeof (m as { role?: unknown }).role !== 'string') {
          throw invalid(`messages[${i}] must be an object with a role`, `messages[${i}]`);
        }
      }
      break;
    case 'completions':
      if (body.prompt === undefined) throw invalid("'prompt' is a required property", 'prompt');
      break;
    case 'embeddings':
      if (body.input === undefined) throw invalid("'input' is a required property", 'input');
      break;
    case 'responses':
    case 'messages':
      break;
  }
  const rules = OUTPUT_RULES[endpoint];
  if (rules) refuseForeignOutputFields(body, rules);
  for (const f of ['max_tokens', 'max_completion_tokens'] as const) {
    const v = body[f];
    if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) {
      throw invalid(`\`${f}\` must be a positive integer`, f);
    }
  }
}

/** Stage 0 for the OpenAI surface: raw Fastify request → canonical request. */
export function openAiIngress(req: FastifyRequest, endpoint: Endpoint): CanonicalRequest {
  const body = withoutSteering(requireJsonObject(req.body));
  validate(endpoint, body);
  const stream = body.stream === true && endpoint !== 'embeddings';
  const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
  return {
    requestId: ledgerRequestId(req.id, req.headers['x-request-id']),
    responseRequestId: req.id,
    surface: 'openai',
    endpoint,
    body,
    model: boundedModelName((body.model as string).trim()),
    stream,
    clientWantsStreamUsage: stream && streamOptions?.include_usage === true,
    credentials: extractCredentials(req),
    sourceIp: req.clientIp,
    receivedAt: Date.now(),
    method: req.method,
    path: req.routeOptions.url,
  };
}
