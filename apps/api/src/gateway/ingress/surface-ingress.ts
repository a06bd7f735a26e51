import type { FastifyRequest } from 'fastify';
import type { CanonicalRequest, Endpoint, Json, Surface } from '@llmp/common';
import { extractCredentials } from './credentials';
import { requireJsonObject } from './json-object-body';
import { boundedModelName } from './model-name';
import { ledgerRequestId } from './request-id';

/** The body of a non-OpenAI surface request as an object, or a 400 in that surface's envelope. */
export function objectBody(req: FastifyRequest): Json {
  return requireJsonObject(req.body);
}

/**
 * Stage 0 for the translating surfaces: the chat body they built from their own format becomes the canonical request.
 * The translators rebuild bodies from known fields only, so nothing that could steer the upstream survives. Usage is
 * always requested on streams, because every translated stream reports it in its own final event. The model name is
 * bounded here, for every translating surface (Anthropic messages and count_tokens, Gemini's path, Ollama, Responses).
 */
export function surfaceRequest(req: FastifyRequest, surface: Surface, endpoint: Endpoint, chatBody: Json): CanonicalRequest {
  const stream = chatBody.stream === true;
  return {
    requestId: ledgerRequestId(req.id, req.headers['x-request-id']),
    responseRequestId: req.id,
    surface,
    endpoint,
    body: chatBody,
    model: boundedModelName(String(chatBody.model)),
    stream,
    clientWantsStreamUsage: stream,
    credentials: extractCredentials(req),
    sourceIp: req.clientIp,
    receivedAt: Date.now(),
    method: req.method,
    path: req.routeOptions.url,
  };
}
