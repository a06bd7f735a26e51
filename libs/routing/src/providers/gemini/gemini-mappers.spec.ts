import { geminiToOpenAiRequest, OpenAiToGeminiStream, openAiToGeminiResponse } from '@llmp/common';
import type { RouteTarget } from '../../routing.types';
import { GeminiRequestMapper } from './gemini-request.mapper';
import { GeminiResponseMapper } from './gemini-response.mapper';
import { GeminiStreamMapper } from './gemini-stream.mapper';

const target: RouteTarget = { provider: { name: 'ge', type: 'gemini', baseUrl: 'https://g.example/v1beta', apiKey: 'k', timeoutMs: 1000 }, model: 'models/gem', priority: 0, weight: 1 };
const call = (body: Record<string, unknown>, stream = false) => ({ requestId: 'r', endpoint: 'chat' as const, body, stream, signal: new AbortController().signal });

describe('gemini mappers', () => {
  const req = new GeminiRequestMapper();

  it('maps tools, tool results by name, thinking and JSON schema', () => {
    expect(req.path('chat', true, target)).toBe('/models/gem:streamGenerateContent?alt=sse');
    const body = JSON.parse(req.body(target, call({
      reasoning_effort: 'medium', tool_choice: { type: 'function', function: { name: 'f' } },
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: '{"ok":true}' },
      ],
    })));
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'q' }] },
      { role: 'model', parts: [{ functionCall: { name: 'f', args: { a: 1 } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'f', response: { ok: true } } }] },
    ]);
    expect(body.generationConfig).toEqual({ responseMimeType: 'application/json', responseJsonSchema: { type: 'object' }, thinkingConfig: { thinkingBudget: 2048, includeThoughts: true } });
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] } });
    expect(() => req.body(target, call({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] }))).toThrow(/image_url.url is not supported by provider type gemini/);
  });

  it('maps an answer with thoughts and safety stops', () => {
    const out = new GeminiResponseMapper().map('chat', {
      candidates: [{ content: { parts: [{ text: 'think', thought: true }, { text: 'ans' }] }, finishReason: 'SAFETY' }],
      usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 3, thoughtsTokenCount: 4 },
    }, target);
    expect(out).toMatchObject({ choices: [{ message: { content: 'ans', reasoning_content: 'think' }, finish_reason: 'content_filter' }], usage: { prompt_tokens: 2, completion_tokens: 7 } });
  });

  it('completes a stream only after a finish reason', () => {
    const m = new GeminiStreamMapper().open('chat', target);
    m.map({ event: 'message', data: JSON.stringify({ candidates: [{ content: { parts: [{ text: 'a' }] } }] }) });
    expect(m.end?.()).toBeNull();
    const m2 = new GeminiStreamMapper().open('chat', target);
    m2.map({ event: 'message', data: JSON.stringify({ candidates: [{ content: { parts: [] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 1 } }) });
    expect(m2.end?.()).toEqual([expect.objectContaining({ choices: [], usage: expect.objectContaining({ prompt_tokens: 1 }) })]);
  });
});

describe('gemini surface translation', () => {
  it('pairs function responses with calls and maps generationConfig', () => {
    const chat = geminiToOpenAiRequest({
      contents: [
        { role: 'user', parts: [{ text: 'q' }, { inlineData: { mimeType: 'image/jpeg', data: 'Zg' } }] },
        { role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'f', response: { r: 1 } } }] },
      ],
      generationConfig: { maxOutputTokens: 9, stopSequences: ['S'], thinkingConfig: { thinkingBudget: 0 } },
      safetySettings: [{ category: 'x', threshold: 'BLOCK_NONE' }],
    }, 'g', true);
    const msgs = chat.messages as { role: string; tool_calls?: { id: string }[]; tool_call_id?: string }[];
    expect(msgs[2].tool_call_id).toBe(msgs[1].tool_calls?.[0].id);
    expect(chat).toMatchObject({ model: 'g', stream: true, max_tokens: 9, stop: ['S'] });
    expect(chat.reasoning_effort).toBeUndefined();
    expect(() => geminiToOpenAiRequest({ contents: [], tools: [{ googleSearch: {} }] }, 'g', false)).toThrow(/tools\[0\].googleSearch/);
  });

  it('maps answers and streams back to Gemini shapes', () => {
    expect(openAiToGeminiResponse({ choices: [{ message: { content: 'x' }, finish_reason: 'length' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }, 'g'))
      .toMatchObject({ candidates: [{ content: { role: 'model', parts: [{ text: 'x' }] }, finishReason: 'MAX_TOKENS' }], usageMetadata: { totalTokenCount: 2 } });
    const s = new OpenAiToGeminiStream('g');
    expect(s.push({ choices: [{ delta: { content: 'hi' } }] })).toHaveLength(1);
    expect(s.push({ choices: [{ delta: { tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: '{"a"' } }] } }] })).toHaveLength(0);
    s.push({ choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: ':2}' } }] }, finish_reason: 'tool_calls' }] });
    const [last] = s.end();
    expect(last).toMatchObject({ candidates: [{ content: { parts: [{ functionCall: { name: 'f', args: { a: 2 } } }] }, finishReason: 'STOP' }] });
  });
});
