import type { Json, OpenAiAssistantMessage, OpenAiChatCompletion, OpenAiFinishReason, OpenAiToolCall, OpenAiUsage } from '../openai-chat.types';
import { count, isObject, newId, nowSeconds, usageOf } from '../translation-helpers';

export function finishReasonOfOllama(doneReason: unknown, hasToolCalls: boolean): OpenAiFinishReason {
  if (hasToolCalls) return 'tool_calls';
  return doneReason === 'length' ? 'length' : 'stop';
}

export function ollamaDoneReasonOf(finish: unknown): string {
  return finish === 'length' ? 'length' : 'stop';
}

/** Ollama's tool calls (arguments as objects, no ids) → OpenAI's. */
export function openAiToolCallsOfOllama(calls: unknown): OpenAiToolCall[] {
  return (Array.isArray(calls) ? calls : []).filter(isObject).map((c) => {
    const fn = isObject(c.function) ? c.function : {};
    const args = fn.arguments;
    return {
      id: typeof c.id === 'string' ? c.id : newId('call_'),
      type: 'function' as const,
      function: { name: String(fn.name ?? ''), arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) },
    };
  });
}

export function ollamaToolCallsOf(calls: readonly OpenAiToolCall[]): Json[] {
  return calls.map((c) => {
    let args: unknown = {};
    try {
      args = JSON.parse(c.function.arguments || '{}');
    } catch {
      args = { arguments: c.function.arguments };
    }
    return { function: { name: c.function.name, arguments: args } };
  });
}

export function openAiUsageOfOllama(body: Json): OpenAiUsage {
  return usageOf(count(body.prompt_eval_count), count(body.eval_count));
}

/** An Ollama `/api/chat` answer → an OpenAI chat completion. */
export function ollamaToOpenAiResponse(body: Json, model: string): OpenAiChatCompletion {
  const msg = isObject(body.message) ? body.message : {};
  const toolCalls = openAiToolCallsOfOllama(msg.tool_calls);
  const text = typeof msg.content === 'string' ? msg.content : '';
  const message: OpenAiAssistantMessage = { role: 'assistant', content: text.length || !toolCalls.length ? text : null };
  if (toolCalls.length) message.tool_calls = toolCalls;
  if (typeof msg.thinking === 'string' && msg.thinking) message.reasoning_content = msg.thinking;
  return {
    id: newId('chatcmpl-'),
    object: 'chat.completion',
    created: nowSeconds(),
    model,
    choices: [{ index: 0, message, finish_reason: finishReasonOfOllama(body.done_reason, toolCalls.length > 0) }],
    usage: openAiUsageOfOllama(body),
  };
}

/** The timing fields Ollama clients expect on a final line; llmp does not measure model load or eval phases. */
export function ollamaFinalFields(finish: unknown, usage: OpenAiUsage | null | undefined): Json {
  return {
    done: true,
    done_reason: ollamaDoneReasonOf(finish),
    total_duration: 0,
    load_duration: 0,
    prompt_eval_count: usage?.prompt_tokens ?? 0,
    prompt_eval_duration: 0,
    eval_count: usage?.completion_tokens ?? 0,
    eval_duration: 0,
  };
}

/** An OpenAI chat completion → an Ollama `/api/chat` (or, with `generate`, `/api/generate`) answer. */
export function openAiToOllamaResponse(body: Json, model: string, mode: 'chat' | 'generate'): Json {
  const choice = Array.isArray(body.choices) && isObject(body.choices[0]) ? body.choices[0] : {};
  const msg = isObject(choice.message) ? choice.message : {};
  const text = typeof msg.content === 'string' ? msg.content : '';
  const reasoning = msg.reasoning_content ?? msg.reasoning;
  const head: Json = { model, created_at: new Date().toISOString() };
  if (mode === 'generate') {
    const out: Json = { ...head, response: text };
    if (typeof reasoning === 'string' && reasoning) out.thinking = reasoning;
    return { ...out, ...ollamaFinalFields(choice.finish_reason, body.usage as OpenAiUsage | undefined) };
  }
  const message: Json = { role: 'assistant', content: text };
  if (typeof reasoning === 'string' && reasoning) message.thinking = reasoning;
  if (Array.isArray(msg.tool_calls) && msg.tool_calls.length) message.tool_calls = ollamaToolCallsOf(msg.tool_calls as OpenAiToolCall[]);
  return { ...head, message, ...ollamaFinalFields(choice.finish_reason, body.usage as OpenAiUsage | undefined) };
}
