import { ollamaChatToOpenAiRequest, OpenAiToOllamaStream, openAiToOllamaResponse } from '@llmp/common';
import type { RouteTarget } from '../../routing.types';
import { NdjsonFramer } from '../ndjson-framer';
import { OllamaRequestMapper } from './ollama-request.mapper';
import { OllamaResponseMapper } from './ollama-response.mapper';
import { OllamaStreamMapper } from './ollama-stream.mapper';

const target: RouteTarget = { provider: { name: 'ol', type: 'ollama', baseUrl: 'http://o:11434', timeoutMs: 1000 }, model: 'llama', priority: 0, weight: 1 };
const call = (body: Record<string, unknown>, stream = false) => ({ requestId: 'r', endpoint: 'chat' as const, body, stream, signal: new AbortController().signal });

describe('ollama mappers', () => {
  const req = new OllamaRequestMapper();

  it('maps images, tool turns, options and JSON mode; says stream:false explicitly', () => {
    expect(req.path('chat', true, target)).toBe('/api/chat');
    expect(req.headers(target.provider).authorization).toBeUndefined();
    const body = JSON.parse(req.body(target, call({
      max_tokens: 10, stop: 'x', response_format: { type: 'json_object' }, reasoning_effort: 'low',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR' } }] },
        { role: 'assistant', content: '', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
        { role: 'tool', tool_call_id: 'c', content: 'r' },
      ],
    })));
    expect(body).toEqual({
      model: 'llama', stream: false, format: 'json', think: true, options: { num_predict: 10, stop: ['x'] },
      messages: [
        { role: 'user', content: 'see', images: ['iVBOR'] },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }] },
        { role: 'tool', content: 'r', tool_name: 'f' },
      ],
    });
    expect(() => req.body(target, call({ messages: [], tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'required' }))).toThrow(/tool_choice/);
  });

  it('maps an answer with tool calls', () => {
    const out = new OllamaResponseMapper().map('chat', { message: { content: '', tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }] }, done: true, prompt_eval_count: 3, eval_count: 4 }, target);
    expect(out).toMatchObject({ choices: [{ message: { tool_calls: [{ function: { name: 'f', arguments: '{"a":1}' } }] }, finish_reason: 'tool_calls' }], usage: { total_tokens: 7 } });
  });

  it('frames NDJSON across chunk boundaries and completes on done:true', () => {
    const f = new NdjsonFramer();
    const enc = new TextEncoder();
    expect(f.push(enc.encode('{"a":1}\n{"b"'))).toEqual([{ event: 'message', data: '{"a":1}' }]);
    expect(f.push(enc.encode(':2}\n\n'))).toEqual([{ event: 'message', data: '{"b":2}' }]);
    expect(f.end()).toEqual([]);
    const capped = new NdjsonFramer(100);
    expect(capped.push(enc.encode('{"a":"' + 'x'.repeat(60)))).toEqual([]);
    expect(() => capped.push(enc.encode('x'.repeat(60)))).toThrow('stream event larger than 100 bytes');
    const m = new OllamaStreamMapper().open('chat', target);
    m.map({ event: 'message', data: JSON.stringify({ message: { content: 'h' }, done: false }) });
    expect(m.end?.()).toBeNull();
    const steps = m.map({ event: 'message', data: JSON.stringify({ message: { content: '' }, done: true, done_reason: 'length', prompt_eval_count: 1, eval_count: 2 }) }) as Record<string, unknown>[];
    expect(steps.map((c) => (c.choices as { finish_reason: string }[])[0]?.finish_reason ?? 'usage')).toEqual(['length', 'usage']);
    expect(m.end?.()).toEqual([]);
    expect(() => m.map({ event: 'message', data: '{"error":"model not loaded"}' })).toThrow(/model not loaded/);
  });
});

describe('ollama surface translation', () => {
  it('maps chat requests (streaming by default) and answers back', () => {
    const chat = ollamaChatToOpenAiRequest({
      model: 'm', think: true, format: { type: 'object' },
      messages: [{ role: 'user', content: 'x', images: ['/9j/abc'] }, { role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: {} } }] }, { role: 'tool', tool_name: 'f', content: 'r' }],
    });
    const msgs = chat.messages as { tool_calls?: { id: string }[]; tool_call_id?: string; content: unknown }[];
    expect(chat).toMatchObject({ stream: true, reasoning_effort: 'medium', response_format: { type: 'json_schema' } });
    expect(msgs[0].content).toEqual([{ type: 'text', text: 'x' }, { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/abc' } }]);
    expect(msgs[2].tool_call_id).toBe(msgs[1].tool_calls?.[0].id);
    expect(openAiToOllamaResponse({ choices: [{ message: { content: 'a' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 2 } }, 'm', 'chat'))
      .toMatchObject({ model: 'm', message: { role: 'assistant', content: 'a' }, done: true, prompt_eval_count: 1, eval_count: 2 });
    const s = new OpenAiToOllamaStream('m', 'generate');
    expect(s.push({ choices: [{ delta: { content: 'y' } }] })).toEqual([expect.objectContaining({ response: 'y', done: false })]);
    expect(s.end()).toEqual([expect.objectContaining({ response: '', done: true })]);
  });
});
