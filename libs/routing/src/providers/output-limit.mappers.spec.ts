import type { ProviderType } from '@llmp/common';
import type { RouteTarget } from '../routing.types';
import { AnthropicRequestMapper } from './anthropic/anthropic-request.mapper';
import { GeminiRequestMapper } from './gemini/gemini-request.mapper';
import { OllamaRequestMapper } from './ollama/ollama-request.mapper';
import { OpenAiRequestMapper } from './openai/openai-request.mapper';
import type { RequestMapper } from './provider-mappers';

const target = (type: ProviderType): RouteTarget => ({
  provider: { name: type, type, baseUrl: 'http://upstream.test', timeoutMs: 1000 }, model: 'm', priority: 0, weight: 1,
});
const call = (body: Record<string, unknown>) => ({ requestId: 'r', endpoint: 'chat' as const, body, stream: false, signal: new AbortController().signal });
const messages = [{ role: 'user', content: 'hi' }];

/** Where each provider kind carries the output limit per choice, read from its request body. */
type Body = Record<string, unknown>;
const at = (b: Body, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (v as Body | undefined)?.[k], b);
const cases: [ProviderType, RequestMapper, (body: Body) => unknown][] = [
  ['openai', new OpenAiRequestMapper(), (b) => at(b, 'max_tokens')],
  ['anthropic', new AnthropicRequestMapper(), (b) => at(b, 'max_tokens')],
  ['gemini', new GeminiRequestMapper(), (b) => at(b, 'generationConfig', 'maxOutputTokens')],
  ['ollama', new OllamaRequestMapper(), (b) => at(b, 'options', 'num_predict')],
];

describe('provider request mappers carry the clamped output limit to their own field', () => {
  it.each(cases)('%s', (type, mapper, limitOf) => {
    const body = JSON.parse(mapper.body(target(type), call({ model: 'x', messages, max_tokens: 77 })));
    expect(limitOf(body)).toBe(77);
  });

  it.each(cases.filter(([t]) => t !== 'openai'))('%s takes the smaller of max_tokens and max_completion_tokens', (type, mapper, limitOf) => {
    const body = JSON.parse(mapper.body(target(type), call({ model: 'x', messages, max_tokens: 500, max_completion_tokens: 40 })));
    expect(limitOf(body)).toBe(40);
  });

  it('gemini carries the choice count as candidateCount; anthropic and ollama refuse n > 1 by name', () => {
    const body = JSON.parse(new GeminiRequestMapper().body(target('gemini'), call({ model: 'x', messages, max_tokens: 5, n: 3 })));
    expect(body.generationConfig).toMatchObject({ maxOutputTokens: 5, candidateCount: 3 });
    expect(() => new AnthropicRequestMapper().body(target('anthropic'), call({ model: 'x', messages, max_tokens: 5, n: 2 }))).toThrow(/\bn\b/);
    expect(() => new OllamaRequestMapper().body(target('ollama'), call({ model: 'x', messages, max_tokens: 5, n: 2 }))).toThrow(/\bn\b/);
  });
});
