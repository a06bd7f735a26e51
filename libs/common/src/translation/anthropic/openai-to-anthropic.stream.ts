import type { Json, OpenAiUsage } from '../openai-chat.types';
import { isObject, newId } from '../translation-helpers';
import type { AnthropicStopReason, AnthropicStreamEvent } from './anthropic.types';
import { anthropicStopReasonOf, anthropicUsageOfOpenAi } from './anthropic-response.translator';

type OpenBlock = { kind: 'text' } | { kind: 'thinking' } | { kind: 'tool'; toolIndex: number };

/**
 * OpenAI chunks → Anthropic Messages stream events, for the inbound Anthropic surface: `message_start`, then
 * `content_block_start` / `content_block_delta` (text_delta, thinking_delta, input_json_delta) / `content_block_stop`
 * per block, and at the end `message_delta` with the stop reason and usage, then `message_stop`.
 */
export class OpenAiToAnthropicStream {
  private started = false;
  private blockIndex = -1;
  private open: OpenBlock | null = null;
  private stopReason: AnthropicStopReason = 'end_turn';
  private usage: OpenAiUsage | null = null;
  private readonly id = newId('msg_');

  constructor(private readonly model: string) {}

  push(chunk: Json): AnthropicStreamEvent[] {
    const out: AnthropicStreamEvent[] = [];
    this.start(out);
    if (isObject(chunk.usage)) this.usage = chunk.usage as unknown as OpenAiUsage;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    const choice = isObject(choices[0]) ? choices[0] : null;
    if (!choice) return out;
    const delta = isObject(choice.delta) ? choice.delta : {};
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (typeof reasoning === 'string' && reasoning) {
      this.ensure(out, { kind: 'thinking' }, { type: 'thinking', thinking: '', signature: '' });
      out.push(this.delta({ type: 'thinking_delta', thinking: reasoning }));
    }
    if (typeof delta.content === 'string' && delta.content) {
      this.ensure(out, { kind: 'text' }, { type: 'text', text: '' });
      out.push(this.delta({ type: 'text_delta', text: delta.content }));
    }
    for (const tc of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
      if (!isObject(tc)) continue;
      const toolIndex = Number(tc.index ?? 0);
      const fn = isObject(tc.function) ? tc.function : {};
      if (!(this.open?.kind === 'tool' && this.open.toolIndex === toolIndex)) {
        this.closeBlock(out);
        this.openBlock(out, { kind: 'tool', toolIndex }, { type: 'tool_use', id: String(tc.id ?? newId('toolu_')), name: String(fn.name ?? ''), input: {} });
      }
      if (typeof fn.arguments === 'string' && fn.arguments) out.push(this.delta({ type: 'input_json_delta', partial_json: fn.arguments }));
    }
    if (choice.finish_reason) this.stopReason = anthropicStopReasonOf(choice.finish_reason);
    return out;
  }

  /** Closes the message after the last chunk. */
  end(): AnthropicStreamEvent[] {
    const out: AnthropicStreamEvent[] = [];
    this.start(out);
    this.closeBlock(out);
    const usage = anthropicUsageOfOpenAi(this.usage);
    out.push({ type: 'message_delta', delta: { stop_reason: this.stopReason, stop_sequence: null }, usage });
    out.push({ type: 'message_stop' });
    return out;
  }

  private start(out: AnthropicStreamEvent[]): void {
    if (this.started) return;
    this.started = true;
    out.push({
      type: 'message_start',
      message: {
        id: this.id, type: 'message', role: 'assistant', model: this.model, content: [],
        stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 },
      },
    });
  }

  private ensure(out: AnthropicStreamEvent[], want: OpenBlock, block: Json): void {
    if (this.open?.kind === want.kind && want.kind !== 'tool') return;
    this.closeBlock(out);
    this.openBlock(out, want, block);
  }

  private openBlock(out: AnthropicStreamEvent[], kind: OpenBlock, block: Json): void {
    this.blockIndex++;
    this.open = kind;
    out.push({ type: 'content_block_start', index: this.blockIndex, content_block: block });
  }

  private closeBlock(out: AnthropicStreamEvent[]): void {
    if (!this.open) return;
    out.push({ type: 'content_block_stop', index: this.blockIndex });
    this.open = null;
  }

  private delta(delta: Json): AnthropicStreamEvent {
    return { type: 'content_block_delta', index: this.blockIndex, delta };
  }
}
