import type { Json, OpenAiToolCallDelta, OpenAiUsage } from '../openai-chat.types';
import { ToolCallAccumulator } from '../tool-call-accumulator';
import { isObject } from '../translation-helpers';
import { ollamaFinalFields, ollamaToolCallsOf } from './ollama-response.translator';

/**
 * OpenAI chunks → Ollama NDJSON lines (`/api/chat` or `/api/generate` shape), for the inbound Ollama surface. Tool
 * calls are sent whole, as Ollama does; the last line is `done: true` with the counts.
 */
export class OpenAiToOllamaStream {
  private readonly tools = new ToolCallAccumulator();
  private finish: unknown = null;
  private usage: OpenAiUsage | null = null;

  constructor(
    private readonly model: string,
    private readonly mode: 'chat' | 'generate',
  ) {}

  push(chunk: Json): Json[] {
    if (isObject(chunk.usage)) this.usage = chunk.usage as unknown as OpenAiUsage;
    const choice = Array.isArray(chunk.choices) && isObject(chunk.choices[0]) ? chunk.choices[0] : null;
    if (!choice) return [];
    if (choice.finish_reason) this.finish = choice.finish_reason;
    const delta = isObject(choice.delta) ? choice.delta : {};
    this.tools.push(Array.isArray(delta.tool_calls) ? (delta.tool_calls as OpenAiToolCallDelta[]) : undefined);
    const text = typeof delta.content === 'string' ? delta.content : '';
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    const thinking = typeof reasoning === 'string' ? reasoning : '';
    if (!text && !thinking) return [];
    return [this.line(text, thinking, false)];
  }

  end(): Json[] {
    const out: Json[] = [];
    if (this.tools.size && this.mode === 'chat') {
      out.push({ ...this.line('', '', false), message: { role: 'assistant', content: '', tool_calls: ollamaToolCallsOf(this.tools.drain()) } });
    }
    out.push({ ...this.line('', '', true), ...ollamaFinalFields(this.finish, this.usage) });
    return out;
  }

  private line(text: string, thinking: string, done: boolean): Json {
    const head: Json = { model: this.model, created_at: new Date().toISOString() };
    if (this.mode === 'generate') return thinking ? { ...head, response: text, thinking, done } : { ...head, response: text, done };
    const message: Json = { role: 'assistant', content: text };
    if (thinking) message.thinking = thinking;
    return { ...head, message, done };
  }
}
