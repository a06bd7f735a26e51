import { anthropicToOpenAiRequest, AnthropicToOpenAiStream, ErrorCode, OpenAiToAnthropicStream, openAiToAnthropicResponse } from '@llmp/common';
import type { RouteTarget } from '../../routing.types';
import { STREAM_DONE } from '../provider-mappers';
import { AnthropicRequestMapper } from './anthropic-request.mapper';
import { AnthropicResponseMapper } from './anthropic-response.mapper';
import { AnthropicStreamMapper } from './anthropic-stream.mapper';

const target: RouteTarget = { provider: { name: 'an', type: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'k', timeoutMs: 1000 }, model: 'claude-x', priority: 0, weight: 1 };
const call = (body: Record<string, unknown>, stream = false) => ({ requestId: 'r', endpoint: 'chat' as const, body, stream, signal: new AbortController().signal });

describe('anthropic mappers', () => {
  const req = new AnthropicRequestMapper();

  it('maps OpenAI tool turns to tool_use / tool_result blocks', () => {
    const body = JSON.parse(req.body(target, call({
      messages: [
        { role: 'user', content: 'w?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      ],
      parallel_tool_calls: false,
    })));
    expect(body.max_tokens).toBe(4096);
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'w?' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'c1', name: 'f', input: { a: 1 } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'c1', content: 'sunny' }] },
    ]);
    expect(body.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(req.path('chat', false, target)).toBe('/v1/messages');
    expect(req.path('embeddings', false, target)).toBeUndefined();
    expect(req.headers(target.provider)).toMatchObject({ 'x-api-key': 'k', 'anthropic-version': '2023-06-01' });
  });

  it('names the field Anthropic cannot serve', () => {
    expect(() => req.body(target, call({ messages: [], n: 2 }))).toThrow(expect.objectContaining({ code: ErrorCode.Unsupported, status: 400, details: { param: 'n' } }));
  });

  it('maps answers, thinking and usage', () => {
    const out = new AnthropicResponseMapper().map('chat', {
      id: 'msg_1', content: [{ type: 'thinking', thinking: 'hm' }, { type: 'text', text: 'hi' }], stop_reason: 'max_tokens',
      usage: { input_tokens: 3, output_tokens: 2, cache_creation_input_tokens: 1 },
    }, target);
    expect(out).toMatchObject({ choices: [{ message: { content: 'hi', reasoning_content: 'hm' }, finish_reason: 'length' }], usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } });
  });

  it('maps a stream and ends on message_stop only', () => {
    const m = new AnthropicStreamMapper().open('chat', target);
    const ev = (type: string, f: object) => ({ event: type, data: JSON.stringify({ type, ...f }) });
    expect(m.map(ev('message_start', { message: { id: 'msg_9', usage: { input_tokens: 5 } } }))).toHaveLength(1);
    expect(m.map(ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 't', name: 'f' } }))).toEqual([expect.objectContaining({ choices: [expect.objectContaining({ delta: { tool_calls: [{ index: 0, id: 't', type: 'function', function: { name: 'f', arguments: '' } }] } })] })]);
    expect(m.map(ev('ping', {}))).toBeNull();
    const end = m.map(ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 7 } })) as Record<string, unknown>[];
    expect(end[1].usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 7 });
    expect(m.map(ev('message_stop', {}))).toBe(STREAM_DONE);
    expect(() => m.map(ev('error', { error: { type: 'overloaded_error', message: 'busy' } }))).toThrow(/busy/);
  });
});

describe('anthropic surface translation', () => {
  it('maps a Messages request with tool results, images and thinking to the chat contract', () => {
    const chat = anthropicToOpenAiRequest({
      model: 'm', max_tokens: 50, system: [{ type: 'text', text: 's' }], thinking: { type: 'enabled', budget_tokens: 3000 },
      messages: [
        { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'QQ' } }, { type: 'text', text: 'see' }] },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'x', signature: 's' }, { type: 'tool_use', id: 'tu', name: 'f', input: { q: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu', content: [{ type: 'text', text: 'r' }] }, { type: 'text', text: 'and?' }] },
      ],
    });
    expect(chat).toEqual({
      model: 'm', max_tokens: 50, reasoning_effort: 'high',
      messages: [
        { role: 'system', content: 's' },
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,QQ' } }, { type: 'text', text: 'see' }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'tu', type: 'function', function: { name: 'f', arguments: '{"q":1}' } }] },
        { role: 'tool', tool_call_id: 'tu', content: 'r' },
        { role: 'user', content: 'and?' },
      ],
    });
    expect(() => anthropicToOpenAiRequest({ model: 'm', max_tokens: 5, messages: [], tools: [{ type: 'web_search_20250305', name: 'web' }] })).toThrow(/tools.0.type/);
  });

  it('maps a completion and a chunk stream back to Anthropic shapes', () => {
    const msg = openAiToAnthropicResponse({ choices: [{ message: { content: 'a', tool_calls: [{ id: 'c', function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 1, completion_tokens: 2 } }, 'm');
    expect(msg).toMatchObject({ type: 'message', model: 'm', stop_reason: 'tool_use', content: [{ type: 'text', text: 'a' }, { type: 'tool_use', id: 'c', name: 'f', input: {} }], usage: { input_tokens: 1, output_tokens: 2 } });
    const s = new OpenAiToAnthropicStream('m');
    const types = [
      ...s.push({ choices: [{ delta: { reasoning_content: 'r' } }] }),
      ...s.push({ choices: [{ delta: { content: 'x' } }] }),
      ...s.push({ choices: [{ delta: { tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: '{' } }] } }] }),
      ...s.push({ choices: [{ delta: {}, finish_reason: 'tool_calls' }] }),
      ...s.end(),
    ].map((e) => (e.type === 'content_block_delta' ? `${e.type}:${(e.delta as { type: string }).type}` : e.type));
    expect(types).toEqual([
      'message_start', 'content_block_start', 'content_block_delta:thinking_delta', 'content_block_stop', 'content_block_start',
      'content_block_delta:text_delta', 'content_block_stop', 'content_block_start', 'content_block_delta:input_json_delta',
      'content_block_stop', 'message_delta', 'message_stop',
    ]);
    expect(new AnthropicToOpenAiStream('m').done).toBe(false);
  });
});
