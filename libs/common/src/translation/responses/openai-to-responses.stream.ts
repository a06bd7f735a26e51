import type { Json, OpenAiUsage } from '../openai-chat.types';
import { isObject, newId } from '../translation-helpers';
import { functionCallItem, messageItem, outputText, responseObject, type ResponsesEcho } from './responses-response.translator';

type OpenItem =
  | { kind: 'message'; id: string; outputIndex: number; text: string }
  | { kind: 'call'; id: string; outputIndex: number; callId: string; name: string; args: string; toolIndex: number };

/**
 * OpenAI chunks → Responses API stream events: `response.created`, `response.in_progress`, per item
 * `response.output_item.added` … (`response.output_text.delta` or `response.function_call_arguments.delta`) …
 * `response.output_item.done`, then `response.completed` (or `response.incomplete` when the token limit cut it off).
 */
export class OpenAiToResponsesStream {
  private seq = 0;
  private started = false;
  private open: OpenItem | null = null;
  private readonly done: Json[] = [];
  private outputIndex = -1;
  private finish: unknown = null;
  private usage: OpenAiUsage | null = null;

  constructor(private readonly echo: ResponsesEcho) {}

  push(chunk: Json): Json[] {
    const out: Json[] = [];
    this.start(out);
    if (isObject(chunk.usage)) this.usage = chunk.usage as unknown as OpenAiUsage;
    const choice = Array.isArray(chunk.choices) && isObject(chunk.choices[0]) ? chunk.choices[0] : null;
    if (!choice) return out;
    if (choice.finish_reason) this.finish = choice.finish_reason;
    const delta = isObject(choice.delta) ? choice.delta : {};
    if (typeof delta.content === 'string' && delta.content) {
      if (this.open?.kind !== 'message') {
        this.close(out);
        const item: OpenItem = { kind: 'message', id: newId('msg_'), outputIndex: ++this.outputIndex, text: '' };
        this.open = item;
        out.push(this.event('response.output_item.added', { output_index: item.outputIndex, item: messageItem(item.id, '', 'in_progress') }));
        out.push(this.event('response.content_part.added', { item_id: item.id, output_index: item.outputIndex, content_index: 0, part: outputText('') }));
      }
      this.open.text += delta.content;
      out.push(this.event('response.output_text.delta', { item_id: this.open.id, output_index: this.open.outputIndex, content_index: 0, delta: delta.content }));
    }
    for (const tc of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
      if (!isObject(tc)) continue;
      const toolIndex = Number(tc.index ?? 0);
      const fn = isObject(tc.function) ? tc.function : {};
      if (!(this.open?.kind === 'call' && this.open.toolIndex === toolIndex)) {
        this.close(out);
        const item: OpenItem = {
          kind: 'call', id: newId('fc_'), outputIndex: ++this.outputIndex, callId: String(tc.id ?? newId('call_')),
          name: String(fn.name ?? ''), args: '', toolIndex,
        };
        this.open = item;
        out.push(this.event('response.output_item.added', { output_index: item.outputIndex, item: functionCallItem(item.id, item.callId, item.name, '', 'in_progress') }));
      }
      if (this.open.kind === 'call' && typeof fn.arguments === 'string' && fn.arguments) {
        this.open.args += fn.arguments;
        out.push(this.event('response.function_call_arguments.delta', { item_id: this.open.id, output_index: this.open.outputIndex, delta: fn.arguments }));
      }
    }
    return out;
  }

  end(): Json[] {
    const out: Json[] = [];
    this.start(out);
    this.close(out);
    const status = this.finish === 'length' ? 'incomplete' : 'completed';
    out.push(this.event(`response.${status}`, { response: responseObject(this.echo, status, this.done, this.usage) }));
    return out;
  }

  private start(out: Json[]): void {
    if (this.started) return;
    this.started = true;
    const response = responseObject(this.echo, 'in_progress', [], null);
    out.push(this.event('response.created', { response }));
    out.push(this.event('response.in_progress', { response }));
  }

  private close(out: Json[]): void {
    const item = this.open;
    if (!item) return;
    this.open = null;
    let done: Json;
    if (item.kind === 'message') {
      const base = { item_id: item.id, output_index: item.outputIndex, content_index: 0 };
      out.push(this.event('response.output_text.done', { ...base, text: item.text }));
      out.push(this.event('response.content_part.done', { ...base, part: outputText(item.text) }));
      done = messageItem(item.id, item.text, 'completed');
    } else {
      out.push(this.event('response.function_call_arguments.done', { item_id: item.id, output_index: item.outputIndex, arguments: item.args }));
      done = functionCallItem(item.id, item.callId, item.name, item.args, 'completed');
    }
    this.done.push(done);
    out.push(this.event('response.output_item.done', { output_index: item.outputIndex, item: done }));
  }

  private event(type: string, fields: Json): Json {
    return { type, sequence_number: this.seq++, ...fields };
  }
}
