import Anthropic from '@anthropic-ai/sdk';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import OpenAI from 'openai';
import { chatCompletion, chatChunks, FakeUpstream } from '../support/fake-upstream';
import { startDataPlane, useConfig } from '../support/gateway-harness';
import { anthropicToolStream, FakeProvider } from './fake-provider.server';

/** OpenAI chunks for a tool call streamed in fragments, then usage. */
function toolCallChunks(model: string): object[] {
  const base = { id: 'chatcmpl-t', object: 'chat.completion.chunk', created: 1, model };
  const d = (delta: object, finish: string | null = null): object => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });
  return [
    d({ role: 'assistant', content: '' }),
    d({ content: 'Let me check.' }),
    d({ tool_calls: [{ index: 0, id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
    d({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
    d({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
    d({}, 'tool_calls'),
    { ...base, choices: [], usage: { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 } },
  ];
}

const TOOL = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

describe('Anthropic, Gemini, Ollama and Responses surfaces (auth disabled)', () => {
  const openai = new FakeUpstream();
  const anthropic = new FakeProvider();
  const gemini = new FakeProvider();
  const ollama = new FakeProvider();
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    const [uo, ua, ug, ul] = await Promise.all([openai.start(), anthropic.start(), gemini.start(), ollama.start()]);
    useConfig(`
providers:
  - { name: oa, type: openai, baseUrl: "${uo}", apiKey: sk-oa, timeoutMs: 5000 }
  - { name: an, type: anthropic, baseUrl: "${ua}", apiKey: sk-ant-upstream, timeoutMs: 5000 }
  - { name: ge, type: gemini, baseUrl: "${ug}", apiKey: goog-upstream, timeoutMs: 5000 }
  - { name: ol, type: ollama, baseUrl: "${ul}", timeoutMs: 5000 }
models:
  - { name: m-openai, targets: [{ provider: oa, model: vllm-model }] }
  - { name: m-claude, targets: [{ provider: an, model: claude-up }] }
  - { name: m-gemini, targets: [{ provider: ge, model: gemini-up }] }
  - { name: m-ollama, targets: [{ provider: ol, model: llama-up }] }
auth: { mode: disabled }
`);
    ({ app, url: base } = await startDataPlane());
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([openai.close(), anthropic.close(), gemini.close(), ollama.close()]);
  });

  beforeEach(() => {
    for (const u of [anthropic, gemini, ollama]) u.requests.length = 0;
    openai.requests.length = 0;
    openai.behavior = (req) => ({ json: chatCompletion(req, 'hello from vllm') });
  });

  describe('Anthropic surface', () => {
    const client = (): Anthropic => new Anthropic({ baseURL: base, apiKey: 'unused', maxRetries: 0 });

    it('serves the Anthropic SDK from an OpenAI-compatible upstream', async () => {
      const msg = await client().messages.create({
        model: 'm-openai', max_tokens: 300, system: 'be brief', stop_sequences: ['END'],
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(msg.type).toBe('message');
      expect(msg.model).toBe('m-openai');
      expect(msg.content).toEqual([{ type: 'text', text: 'hello from vllm' }]);
      expect(msg.stop_reason).toBe('end_turn');
      expect(msg.usage).toMatchObject({ input_tokens: 11, output_tokens: 7 });
      expect(openai.requests[0].body).toMatchObject({
        model: 'vllm-model', max_tokens: 300, stop: ['END'],
        messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }],
      });
    });

    it('streams Anthropic events, tool-call input as input_json_delta', async () => {
      openai.behavior = (req) => ({ stream: { chunks: toolCallChunks(String(req.body.model)) } });
      const stream = client().messages.stream({
        model: 'm-openai', max_tokens: 100, messages: [{ role: 'user', content: 'weather in Oslo?' }],
        tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      });
      const types: string[] = [];
      stream.on('streamEvent', (e) => types.push(e.type));
      const final = await stream.finalMessage();
      expect(types[0]).toBe('message_start');
      expect(types).toContain('content_block_delta');
      expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
      expect(final.content).toEqual([
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'call_9', name: 'get_weather', input: { city: 'Oslo' } },
      ]);
      expect(final.stop_reason).toBe('tool_use');
      expect(final.usage.output_tokens).toBe(12);
      expect(openai.requests[0].body.tools).toEqual([TOOL]);
      expect(openai.requests[0].body.stream).toBe(true);
    });

    it('counts tokens without an upstream call', async () => {
      const res = await client().messages.countTokens({ model: 'm-openai', messages: [{ role: 'user', content: 'hello there' }] });
      expect(res.input_tokens).toBeGreaterThan(2);
      expect(openai.requests).toHaveLength(0);
    });

    it('answers errors in the Anthropic envelope', async () => {
      const res = await fetch(`${base}/v1/messages`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
      });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
      const bad = await fetch(`${base}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm-openai', messages: [] }) });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    });
  });

  describe('OpenAI SDK reaching an Anthropic upstream', () => {
    const client = (): OpenAI => new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0 });

    it('translates the request and the answer', async () => {
      anthropic.reply = () => ({
        json: {
          id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-up',
          content: [{ type: 'text', text: 'Bonjour' }, { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Lyon' } }],
          stop_reason: 'tool_use', stop_sequence: null, usage: { input_tokens: 9, output_tokens: 4, cache_read_input_tokens: 3 },
        },
      });
      const res = await client().chat.completions.create({
        model: 'm-claude', max_tokens: 64, temperature: 0.2, stop: 'X', tools: [TOOL], tool_choice: 'required',
        messages: [
          { role: 'system', content: 'sys' },
          { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
        ],
      });
      const got = anthropic.requests[0];
      expect(got.url).toBe('/v1/messages');
      expect(got.headers['x-api-key']).toBe('sk-ant-upstream');
      expect(got.headers['anthropic-version']).toBe('2023-06-01');
      expect(got.headers.authorization).toBeUndefined();
      expect(got.body).toEqual({
        model: 'claude-up', max_tokens: 64, system: 'sys', temperature: 0.2, stop_sequences: ['X'],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }] }],
        tools: [{ name: 'get_weather', input_schema: TOOL.function.parameters }],
        tool_choice: { type: 'any' },
      });
      expect(res.model).toBe('m-claude');
      expect(res.choices[0].message.content).toBe('Bonjour');
      expect(res.choices[0].message.tool_calls?.[0]).toMatchObject({ id: 'toolu_2', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } });
      expect(res.choices[0].finish_reason).toBe('tool_calls');
      expect(res.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 4 });
    });

    it('streams Anthropic events as OpenAI chunks with tool-call deltas and thinking', async () => {
      anthropic.reply = () => ({ sse: anthropicToolStream('claude-up') });
      const stream = await client().chat.completions.create({
        model: 'm-claude', stream: true, stream_options: { include_usage: true }, max_tokens: 4000, reasoning_effort: 'low',
        messages: [{ role: 'user', content: 'weather?' }], tools: [TOOL],
      });
      let text = '';
      let reasoning = '';
      let args = '';
      let finish: string | null = null;
      let usage: unknown = null;
      for await (const chunk of stream) {
        const d = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string; tool_calls?: { function?: { arguments?: string } }[] } | undefined;
        text += d?.content ?? '';
        reasoning += d?.reasoning_content ?? '';
        args += d?.tool_calls?.[0]?.function?.arguments ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe('Checking weather.');
      expect(reasoning).toBe('let me see');
      expect(JSON.parse(args)).toEqual({ city: 'Paris' });
      expect(finish).toBe('tool_calls');
      expect(usage).toMatchObject({ prompt_tokens: 21, completion_tokens: 17 });
      expect(anthropic.requests[0].body).toMatchObject({ stream: true, thinking: { type: 'enabled', budget_tokens: 1024 } });
    });

    it('rejects what Anthropic cannot do with 400 unsupported naming the field', async () => {
      const err = await client().chat.completions
        .create({ model: 'm-claude', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_object' } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      const e = err as InstanceType<typeof OpenAI.APIError>;
      expect(e.status).toBe(400);
      expect(e.code).toBe('unsupported');
      expect(e.param).toBe('response_format');
      expect(e.message).toContain('field response_format is not supported by provider type anthropic');
      expect(anthropic.requests).toHaveLength(0);
    });

    it('re-envelopes an Anthropic 4xx in the OpenAI shape', async () => {
      anthropic.reply = () => ({ status: 400, json: { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long' } } });
      const err = (await client().chat.completions.create({ model: 'm-claude', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(err.status).toBe(400);
      expect(err.message).toContain('prompt is too long');
    });
  });

  describe('OpenAI SDK reaching a Gemini upstream', () => {
    const client = (): OpenAI => new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0 });

    it('translates the request and the answer', async () => {
      gemini.reply = () => ({
        json: {
          candidates: [{ content: { role: 'model', parts: [{ text: 'Hallo' }] }, finishReason: 'STOP', index: 0 }],
          usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 2, totalTokenCount: 10 },
        },
      });
      const res = await client().chat.completions.create({
        model: 'm-gemini', max_tokens: 50, top_p: 0.5, response_format: { type: 'json_object' },
        messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'hi' }],
      });
      const got = gemini.requests[0];
      expect(got.url).toBe('/v1beta/models/gemini-up:generateContent');
      expect(got.headers['x-goog-api-key']).toBe('goog-upstream');
      expect(got.body).toEqual({
        contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
        systemInstruction: { parts: [{ text: 'sys' }] },
        generationConfig: { topP: 0.5, maxOutputTokens: 50, responseMimeType: 'application/json' },
      });
      expect(res.choices[0].message.content).toBe('Hallo');
      expect(res.usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 2 });
    });

    it('streams alt=sse as chunks, function calls included', async () => {
      gemini.reply = () => ({
        sse: [
          { data: { candidates: [{ content: { role: 'model', parts: [{ text: 'one ' }] } }] } },
          { data: { candidates: [{ content: { role: 'model', parts: [{ text: 'two' }, { functionCall: { name: 'get_weather', args: { city: 'Rome' } } }] } }] } },
          { data: { candidates: [{ content: { role: 'model', parts: [] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 3, totalTokenCount: 7 } } },
        ],
      });
      const stream = await client().chat.completions.create({ model: 'm-gemini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'go' }], tools: [TOOL] });
      let text = '';
      let call: unknown = null;
      let finish: string | null = null;
      let usage: unknown = null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        call = chunk.choices[0]?.delta?.tool_calls?.[0] ?? call;
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) usage = chunk.usage;
      }
      expect(gemini.requests[0].url).toBe('/v1beta/models/gemini-up:streamGenerateContent?alt=sse');
      expect(text).toBe('one two');
      expect(call).toMatchObject({ index: 0, function: { name: 'get_weather', arguments: '{"city":"Rome"}' } });
      expect(finish).toBe('tool_calls');
      expect(usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 3 });
    });
  });

  describe('Gemini surface', () => {
    const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
      fetch(`${base}/v1beta/models/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const body = {
      systemInstruction: { parts: [{ text: 'sys' }] },
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
      generationConfig: { maxOutputTokens: 40, temperature: 0.1 },
    };

    it('generateContent from an OpenAI-compatible upstream', async () => {
      const res = await post('m-openai:generateContent', body, { 'x-goog-api-key': 'whatever' });
      expect(res.status).toBe(200);
      const json = (await res.json()) as { candidates: { content: { parts: { text: string }[] }; finishReason: string }[]; usageMetadata: Record<string, number> };
      expect(json.candidates[0].content.parts).toEqual([{ text: 'hello from vllm' }]);
      expect(json.candidates[0].finishReason).toBe('STOP');
      expect(json.usageMetadata).toMatchObject({ promptTokenCount: 11, candidatesTokenCount: 7 });
      expect(openai.requests[0].body).toMatchObject({ max_tokens: 40, temperature: 0.1, messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'hi' }] });
    });

    it('streamGenerateContent with alt=sse', async () => {
      openai.behavior = (req) => ({ stream: { chunks: chatChunks(String(req.body.model), ['a', 'b']) } });
      const res = await post('m-openai:streamGenerateContent?alt=sse', body);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const events = (await res.text()).split('\r\n\r\n').filter(Boolean).map((e) => JSON.parse(e.replace(/^data: /, '')) as { candidates: { content: { parts: { text?: string }[] }; finishReason?: string }[]; usageMetadata?: Record<string, number> });
      expect(events.map((e) => e.candidates[0].content.parts.map((p) => p.text ?? '').join('')).join('')).toBe('ab');
      expect(events.at(-1)?.candidates[0].finishReason).toBe('STOP');
      expect(events.at(-1)?.usageMetadata).toMatchObject({ promptTokenCount: 5, candidatesTokenCount: 2 });
    });

    it('streamGenerateContent as one JSON array', async () => {
      openai.behavior = (req) => ({ stream: { chunks: chatChunks(String(req.body.model), ['x', 'y', 'z']) } });
      const res = await post('m-openai:streamGenerateContent', body);
      expect(res.headers.get('content-type')).toContain('application/json');
      const arr = (await res.json()) as { candidates: { content: { parts: { text?: string }[] } }[] }[];
      expect(arr.map((r) => r.candidates[0].content.parts.map((p) => p.text ?? '').join('')).join('')).toBe('xyz');
    });

    it('lists models and answers errors in the Google envelope', async () => {
      const list = (await (await fetch(`${base}/v1beta/models?key=anything`)).json()) as { models: { name: string }[] };
      expect(list.models.map((m) => m.name)).toContain('models/m-gemini');
      const res = await post('nope:generateContent', body);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
    });
  });

  describe('Ollama surface', () => {
    it('streams NDJSON by default, from a native Ollama upstream', async () => {
      ollama.reply = () => ({
        ndjson: [
          { model: 'llama-up', created_at: 't', message: { role: 'assistant', content: 'Hel' }, done: false },
          { model: 'llama-up', created_at: 't', message: { role: 'assistant', content: 'lo' }, done: false },
          { model: 'llama-up', created_at: 't', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 6, eval_count: 2 },
        ],
      });
      const res = await fetch(`${base}/api/chat`, {
        method: 'POST',
        body: JSON.stringify({ model: 'm-ollama', messages: [{ role: 'user', content: 'hi' }], options: { temperature: 0.4, num_ctx: 4096, num_predict: 20 } }),
      });
      expect(res.headers.get('content-type')).toContain('application/x-ndjson');
      const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { message?: { content: string }; done: boolean; eval_count?: number; done_reason?: string });
      expect(lines.map((l) => l.message?.content ?? '').join('')).toBe('Hello');
      expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop', prompt_eval_count: 6, eval_count: 2 });
      expect(ollama.requests[0].url).toBe('/api/chat');
      expect(ollama.requests[0].body).toEqual({ model: 'llama-up', messages: [{ role: 'user', content: 'hi' }], stream: true, options: { temperature: 0.4, num_predict: 20 } });
    });

    it('generate with stream:false from an OpenAI-compatible upstream, and tags', async () => {
      const res = await fetch(`${base}/api/generate`, { method: 'POST', body: JSON.stringify({ model: 'm-openai', prompt: 'hi', system: 's', stream: false }) });
      expect(await res.json()).toMatchObject({ model: 'm-openai', response: 'hello from vllm', done: true, prompt_eval_count: 11, eval_count: 7 });
      expect(openai.requests[0].body.messages).toEqual([{ role: 'system', content: 's' }, { role: 'user', content: 'hi' }]);
      const tags = (await (await fetch(`${base}/api/tags`)).json()) as { models: { name: string }[] };
      expect(tags.models.map((m) => m.name)).toContain('m-ollama');
    });

    it('answers errors in the Ollama envelope', async () => {
      const res = await fetch(`${base}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'nope', messages: [] }) });
      expect(res.status).toBe(404);
      const json = (await res.json()) as { error: unknown };
      expect(typeof json.error).toBe('string');
      const unsupported = await fetch(`${base}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'm-openai', messages: [], options: { mirostat: 2 } }) });
      expect(unsupported.status).toBe(400);
      expect(((await unsupported.json()) as { error: string }).error).toContain('options.mirostat');
    });
  });

  describe('Responses surface', () => {
    const client = (): OpenAI => new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0 });

    it('creates a response from a Claude upstream', async () => {
      anthropic.reply = () => ({
        json: { id: 'msg_r', type: 'message', role: 'assistant', model: 'claude-up', content: [{ type: 'text', text: 'ciao' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } },
      });
      const res = await client().responses.create({ model: 'm-claude', instructions: 'sys', input: 'hi', max_output_tokens: 99 });
      expect(res.output_text).toBe('ciao');
      expect(res.status).toBe('completed');
      expect(res.usage).toMatchObject({ input_tokens: 5, output_tokens: 1 });
      expect(anthropic.requests[0].body).toMatchObject({ max_tokens: 99, system: 'sys', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] });
    });

    it('streams Responses events with function calls', async () => {
      openai.behavior = (req) => ({ stream: { chunks: toolCallChunks(String(req.body.model)) } });
      const stream = await client().responses.create({
        model: 'm-openai', input: [{ role: 'user', content: 'weather?' }], stream: true,
        tools: [{ type: 'function', name: 'get_weather', parameters: TOOL.function.parameters, strict: false }],
      });
      const types: string[] = [];
      let text = '';
      let completed: { output: { type: string; arguments?: string }[]; usage: unknown } | null = null;
      for await (const ev of stream) {
        types.push(ev.type);
        if (ev.type === 'response.output_text.delta') text += ev.delta;
        if (ev.type === 'response.completed') completed = ev.response as never;
      }
      expect(types[0]).toBe('response.created');
      expect(types).toContain('response.function_call_arguments.delta');
      expect(types.at(-1)).toBe('response.completed');
      expect(text).toBe('Let me check.');
      expect(completed!.output.map((o) => o.type)).toEqual(['message', 'function_call']);
      expect(JSON.parse(completed!.output[1].arguments!)).toEqual({ city: 'Oslo' });
      expect(completed!.usage).toMatchObject({ input_tokens: 30, output_tokens: 12 });
    });

    it('rejects hosted tools and stored conversations with 400 unsupported', async () => {
      const err = (await client().responses.create({ model: 'm-openai', input: 'x', previous_response_id: 'resp_1' }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(err.status).toBe(400);
      expect(err.code).toBe('unsupported');
      expect(err.param).toBe('previous_response_id');
    });
  });
});
