import { createHash } from 'node:crypto';

const ECHO_CHARS = 100;

/** The deterministic reply text for a prompt. */
export function mockReply(prompt: string, kind: 'chat' | 'completion'): string {
  const oneLine = prompt.replace(/\s+/g, ' ').trim();
  if (!oneLine) return kind === 'chat' ? 'This is a mock response.' : 'This is a mock completion.';
  const echo = oneLine.length > ECHO_CHARS ? `${oneLine.slice(0, ECHO_CHARS)}…` : oneLine;
  return kind === 'chat' ? `This is a mock response to: ${echo}` : ` This is a mock completion of: ${echo}`;
}

/** Text of an OpenAI message `content` (string or parts; only text parts count). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const part of content) {
    if (part && typeof part === 'object' && (part as { type?: unknown }).type === 'text') {
      const t = (part as { text?: unknown }).text;
      if (typeof t === 'string') out += out ? `\n${t}` : t;
    }
  }
  return out;
}

/** Splits text into stream deltas at word starts, keeping every character (so the deltas join to the text). */
export function deltas(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/** A unit vector of `dims` floats derived from the input text alone, so equal inputs embed equally. */
export function mockVector(input: string, dims: number): number[] {
  const out = new Array<number>(dims);
  let block = createHash('sha256').update(input).digest();
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    const at = (i * 2) % block.length;
    if (i > 0 && at === 0) block = createHash('sha256').update(block).digest();
    const v = block.readUInt16BE(at) / 32767.5 - 1;
    out[i] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < dims; i++) out[i] = Math.round((out[i] / norm) * 1e6) / 1e6;
  return out;
}
