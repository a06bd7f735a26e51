import { ErrorCode } from '@llmp/common';
import { encode } from 'gpt-tokenizer';
import type { RouteTarget, UpstreamCall } from '../../routing.types';
import type { AdapterOutcome } from '../provider-adapter';
import { MockAdapter } from './mock.adapter';

const target: RouteTarget = { provider: { name: 'mock', type: 'mock', timeoutMs: 1000 }, model: 'mock-small', priority: 0, weight: 1 };
const adapter = new MockAdapter();

function call(endpoint: UpstreamCall['endpoint'], body: Record<string, unknown>, signal = new AbortController().signal): UpstreamCall {
  return { requestId: 'req1', endpoint, body, stream: body.stream === true, signal };
}

async function json(outcome: Promise<AdapterOutcome>): Promise<Record<string, unknown>> {
  const o = await outcome;
  if (o.kind !== 'json') throw new Error(`expected json, got ${o.kind}`);
  return o.body;
}

async function chunks(outcome: Promise<AdapterOutcome>): Promise<Record<string, unknown>[]> {
  const o = await outcome;
  if (o.kind !== 'stream') throw new Error(`expected stream, got ${o.kind}`);
  const out: Record<string, unknown>[] = [];
  for await (const batch of o.chunks) out.push(...batch);
  return out;
}

type Choice = { message: { content: string }; finish_reason: string; index: number };

describe('MockAdapter', () => {
  const messages = [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hello there, mock!' },
  ];

  it('answers chat deterministically from the last user message with real usage', async () => {
    const a = await json(adapter.send(target, call('chat', { model: 'x', messages })));
    const b = await json(adapter.send(target, call('chat', { model: 'x', messages })));
    expect(a.choices).toEqual(b.choices);
    expect(a.id).toBe('chatcmpl-mock-req1');
    expect(a.object).toBe('chat.completion');
    expect(a.model).toBe('mock-small');
    expect(typeof a.created).toBe('number');
    expect(a.created as number).toBeLessThan(1e11);
    const choice = (a.choices as Choice[])[0];
    expect(choice.message.content).toBe('This is a mock response to: Hello there, mock!');
    expect(choice.finish_reason).toBe('stop');
    const usage = a.usage as Record<string, number>;
    expect(usage.completion_tokens).toBe(encode(choice.message.content).length);
    expect(usage.prompt_tokens).toBeGreaterThan(encode('Be brief.Hello there, mock!').length);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
  });

  it('reads text parts of multi-modal content', async () => {
    const content = [{ type: 'text', text: 'Describe' }, { type: 'image_url', image_url: { url: 'data:x' } }];
    const a = await json(adapter.send(target, call('chat', { messages: [{ role: 'user', content }] })));
    expect((a.choices as Choice[])[0].message.content).toBe('This is a mock response to: Describe');
  });

  it('truncates to max_tokens / max_completion_tokens with finish_reason length', async () => {
    for (const cap of [{ max_tokens: 3 }, { max_completion_tokens: 3, max_tokens: 100 }]) {
      const a = await json(adapter.send(target, call('chat', { messages, ...cap })));
      const choice = (a.choices as Choice[])[0];
      expect(choice.finish_reason).toBe('length');
      expect(encode(choice.message.content).length).toBeLessThanOrEqual(3);
      expect((a.usage as Record<string, number>).completion_tokens).toBe(3);
    }
  });

  it('returns n choices and counts their tokens', async () => {
    const a = await json(adapter.send(target, call('chat', { messages, n: 3 })));
    const choices = a.choices as Choice[];
    expect(choices.map((c) => c.index)).toEqual([0, 1, 2]);
    expect((a.usage as Record<string, number>).completion_tokens).toBe(3 * encode(choices[0].message.content).length);
  });

  it('streams role, content deltas and a finish chunk, plus a usage chunk when asked', async () => {
    const got = await chunks(
      adapter.send(target, call('chat', { messages, stream: true, stream_options: { include_usage: true } })),
    );
    type Delta = { delta: { role?: string; content?: string }; finish_reason: string | null };
    const first = (got[0].choices as Delta[])[0];
    expect(got[0].object).toBe('chat.completion.chunk');
    expect(first.delta.role).toBe('assistant');
    const text = got
      .slice(1)
      .flatMap((c) => c.choices as Delta[])
      .map((c) => c.delta.content ?? '')
      .join('');
    expect(text).toBe('This is a mock response to: Hello there, mock!');
    const finish = got[got.length - 2];
    expect((finish.choices as Delta[])[0].finish_reason).toBe('stop');
    const last = got[got.length - 1];
    expect(last.choices).toEqual([]);
    expect((last.usage as Record<string, number>).completion_tokens).toBe(encode(text).length);
  });

  it('streams without a usage chunk unless include_usage', async () => {
    const got = await chunks(adapter.send(target, call('chat', { messages, stream: true })));
    expect(got.every((c) => (c.choices as unknown[]).length === 1 && c.usage === undefined)).toBe(true);
  });

  it('stops streaming when the signal aborts', async () => {
    const ac = new AbortController();
    const o = await adapter.send(target, call('chat', { messages, stream: true }, ac.signal));
    if (o.kind !== 'stream') throw new Error('expected a stream');
    const it = o.chunks[Symbol.asyncIterator]();
    await it.next();
    ac.abort();
    await expect(it.next()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('serves legacy completions, streaming too', async () => {
    const a = await json(adapter.send(target, call('completions', { prompt: 'Once upon' })));
    expect(a.object).toBe('text_completion');
    expect(a.id).toBe('cmpl-mock-req1');
    expect((a.choices as { text: string }[])[0].text).toContain('Once upon');
    const got = await chunks(adapter.send(target, call('completions', { prompt: 'Once upon', stream: true })));
    const text = got.flatMap((c) => c.choices as { text: string }[]).map((c) => c.text).join('');
    expect(text).toBe((a.choices as { text: string }[])[0].text);
  });

  it('embeds strings and string arrays deterministically as unit vectors', async () => {
    const one = await json(adapter.send(target, call('embeddings', { input: 'hello' })));
    const many = await json(adapter.send(target, call('embeddings', { input: ['hello', 'world'] })));
    type Emb = { embedding: number[]; index: number };
    const v = (one.data as Emb[])[0].embedding;
    expect(v).toHaveLength(16);
    expect(Math.abs(Math.hypot(...v) - 1)).toBeLessThan(1e-4);
    expect((many.data as Emb[])[0].embedding).toEqual(v);
    expect((many.data as Emb[])[1].embedding).not.toEqual(v);
    expect((many.data as Emb[]).map((d) => d.index)).toEqual([0, 1]);
    expect(many.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
    const dims = await json(adapter.send(target, call('embeddings', { input: 'hello', dimensions: 40 })));
    expect((dims.data as Emb[])[0].embedding).toHaveLength(40);
  });

  it('does not serve other endpoints', async () => {
    expect(adapter.supports('responses')).toBe(false);
    await expect(adapter.send(target, call('responses', {}))).rejects.toMatchObject({ code: ErrorCode.Unsupported });
  });

  it('treats special-token text in prompts as plain text', async () => {
    const a = await json(adapter.send(target, call('chat', { messages: [{ role: 'user', content: 'x <|endoftext|> y' }] })));
    expect((a.usage as Record<string, number>).prompt_tokens).toBeGreaterThan(0);
  });
});
