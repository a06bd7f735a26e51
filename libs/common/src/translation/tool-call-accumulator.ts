import type { OpenAiToolCall, OpenAiToolCallDelta } from './openai-chat.types';
import { newId } from './translation-helpers';

/**
 * Joins streamed OpenAI tool-call fragments into whole calls, for surfaces whose streams carry a tool call only once
 * it is complete (Gemini, Ollama).
 */
export class ToolCallAccumulator {
  private readonly calls = new Map<number, OpenAiToolCall>();

  push(deltas: readonly OpenAiToolCallDelta[] | undefined): void {
    if (!deltas) return;
    for (const d of deltas) {
      let call = this.calls.get(d.index);
      if (!call) {
        call = { id: d.id ?? newId('call_'), type: 'function', function: { name: '', arguments: '' } };
        this.calls.set(d.index, call);
      }
      if (d.id) call.id = d.id;
      if (d.function?.name) call.function.name += d.function.name;
      if (d.function?.arguments) call.function.arguments += d.function.arguments;
    }
  }

  get size(): number {
    return this.calls.size;
  }

  /** The complete calls in index order, and forgets them. */
  drain(): OpenAiToolCall[] {
    const out = [...this.calls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
    this.calls.clear();
    return out;
  }
}
