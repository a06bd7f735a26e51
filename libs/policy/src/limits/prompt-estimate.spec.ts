import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode as o200k } from 'gpt-tokenizer/encoding/o200k_base';
import { encode as cl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { estimatePromptTokens, TOKENS_PER_IMAGE } from './prompt-estimate';

const ENGLISH = `The quick brown fox jumps over the lazy dog. Rate limits protect shared upstream capacity; budgets protect
money. When a request arrives, the proxy estimates how many tokens it may consume, reserves them, and only then calls
the provider. Afterwards it settles the reservation to the actual usage reported by the provider, refunding the rest.
Numbers like 3.14159, 2026-11-22 and 1,234,567 appear in ordinary prose too, as do URLs such as https://example.com/a?b=c.`;

function sources(): string[] {
  const files = ['admission.service.ts', 'admit.lua.ts', 'local-limiter.ts', 'prompt-estimate.ts', 'limits-scripts.int-spec.ts'];
  return files.map((f) => readFileSync(join(__dirname, f), 'utf8'));
}

describe('estimatePromptTokens', () => {
  it('is an upper bound of real token counts for English and code (o200k and cl100k)', () => {
    const ids = Array.from({ length: 100 }, () => randomUUID()).join('\n');
    const numbers = Array.from({ length: 500 }, (_, i) => (i * 7919) % 100000).join(',');
    const json = JSON.stringify({ a: [1, 2, 3], b: { nested: 'value' } }).repeat(50);
    for (const text of [ENGLISH, ...sources(), json, ids, numbers, randomBytes(2000).toString('hex')]) {
      const body = { model: 'gpt-4o', messages: [{ role: 'user', content: text }] };
      const est = estimatePromptTokens(body);
      expect(est).toBeGreaterThanOrEqual(o200k(text).length + 4);
      expect(est).toBeGreaterThanOrEqual(cl100k(text).length + 4);
      // ...and not absurdly above (a reservation too large starves the tpm window).
      expect(est).toBeLessThan(cl100k(text).length * 2.2 + 50);
    }
  });

  it('counts every shape: content parts, tools, Anthropic system, Gemini contents, completions prompt', () => {
    const text = 'hello world '.repeat(100);
    const base = estimatePromptTokens({ messages: [{ role: 'user', content: text }] });
    expect(estimatePromptTokens({ messages: [{ role: 'user', content: [{ type: 'text', text }] }] })).toBeGreaterThanOrEqual(base);
    expect(estimatePromptTokens({ system: text, messages: [{ role: 'user', content: text }] })).toBeGreaterThan(base * 1.8);
    expect(estimatePromptTokens({ contents: [{ role: 'user', parts: [{ text }] }] })).toBeGreaterThanOrEqual(base);
    expect(estimatePromptTokens({ prompt: text })).toBeGreaterThanOrEqual(o200k(text).length);
    const tools = [{ type: 'function', function: { name: 'lookup_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    expect(estimatePromptTokens({ messages: [{ role: 'user', content: text }], tools })).toBeGreaterThan(base + 10);
  });

  it('charges a fixed cost per image and ignores the bytes of its data', () => {
    const data = `data:image/png;base64,${'A'.repeat(3_000_000)}`;
    const t = estimatePromptTokens({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: data } }] }],
    });
    expect(t).toBeGreaterThanOrEqual(TOKENS_PER_IMAGE);
    expect(t).toBeLessThan(TOKENS_PER_IMAGE + 100);
    const anthropic = estimatePromptTokens({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', data } }] }] });
    expect(anthropic).toBeLessThan(TOKENS_PER_IMAGE + 100);
    expect(estimatePromptTokens({ messages: [{ role: 'user', content: 'x', images: ['a', 'b'] }] })).toBeGreaterThanOrEqual(2 * TOKENS_PER_IMAGE);
  });
});
