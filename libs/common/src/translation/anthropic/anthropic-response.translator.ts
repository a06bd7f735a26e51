import type { Json, OpenAiAssistantMessage, OpenAiChatCompletion, OpenAiFinishReason, OpenAiToolCall, OpenAiUsage } from '../openai-chat.types';
import { count, isObject, newId, nowSeconds, usageOf } from '../translation-helpers';
import type { AnthropicContentBlock, AnthropicMessage, AnthropicStopReason, AnthropicUsage } from './anthropic.types';

export function finishReasonOfAnthropic(stop: unknown): OpenAiFinishReason {
  switch (stop) {
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

export function anthropicStopReasonOf(finish: unknown): AnthropicStopReason {
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/** Anthropic usage → OpenAI usage; cached and cache-written input both count as prompt tokens. */
export function openAiUsageOfAnthropic(u: unknown): OpenAiUsage {
  const usage = isObject(u) ? u : {};
  const cached = count(usage.cache_read_input_tokens);
  const prompt = count(usage.input_tokens) + cached + count(usage.cache_creation_input_tokens);
  return usageOf(prompt, count(usage.output_tokens), cached);
}

export function anthropicUsageOfOpenAi(u: OpenAiUsage | null | undefined): AnthropicUsage {
  const cached = u?.prompt_tokens_details?.cached_tokens ?? 0;
  const usage: AnthropicUsage = { input_tokens: Math.max(0, (u?.prompt_tokens ?? 0) - cached), output_tokens: u?.completion_tokens ?? 0 };
  if (cached) usage.cache_read_input_tokens = cached;
  return usage;
}

/** A Messages API answer → an OpenAI chat completion. */
export function anthropicToOpenAiResponse(body: Json, model: string): OpenAiChatCompletion {
  let text = '';
  let reasoning = '';
  const toolCalls: OpenAiToolCall[] = [];
  for (const b of Array.isArray(body.content) ? body.content : []) {
    if (!isObject(b)) continue;
    if (b.type === 'text') text += String(b.text ?? '');
    else if (b.type === 'thinking') reasoning += String(b.thinking ?? '');
    else if (b.type === 'tool_use') {
      toolCalls.push({ id: String(b.id), type: 'function', function: { name: String(b.name), arguments: JSON.stringify(b.input ?? {}) } });
    }
  }
  const message: OpenAiAssistantMessage = { role: 'assistant', content: text.length || !toolCalls.length ? text : null };
  if (toolCalls.length) message.tool_calls = toolCalls;
  if (reasoning) message.reasoning_content = reasoning;
  return {
    id: typeof body.id === 'string' ? body.id : newId('msg_'),
    object: 'chat.completion',
    created: nowSeconds(),
    model,
    choices: [{ index: 0, message, finish_reason: finishReasonOfAnthropic(body.stop_reason) }],
    usage: openAiUsageOfAnthropic(body.usage),
  };
}

/** Tool-call arguments as an object; a model that produced broken JSON still gets its text through. */
function inputOf(args: string): Json {
  try {
    const parsed: unknown = JSON.parse(args || '{}');
    return isObject(parsed) ? parsed : { value: parsed };
  } catch {
    return { arguments: args };
  }
}

/** An OpenAI chat completion → an Anthropic Messages answer under the client's model name. */
export function openAiToAnthropicResponse(body: Json, model: string): AnthropicMessage {
  const choice = Array.isArray(body.choices) && isObject(body.choices[0]) ? body.choices[0] : {};
  const msg = isObject(choice.message) ? choice.message : {};
  const content: AnthropicContentBlock[] = [];
  const reasoning = msg.reasoning_content ?? msg.reasoning;
  if (typeof reasoning === 'string' && reasoning) content.push({ type: 'thinking', thinking: reasoning, signature: '' });
  if (typeof msg.content === 'string' && msg.content) content.push({ type: 'text', text: msg.content });
  for (const c of Array.isArray(msg.tool_calls) ? msg.tool_calls : []) {
    if (!isObject(c) || !isObject(c.function)) continue;
    content.push({ type: 'tool_use', id: String(c.id ?? newId('toolu_')), name: String(c.function.name ?? ''), input: inputOf(String(c.function.arguments ?? '')) });
  }
  return {
    id: typeof body.id === 'string' && body.id.startsWith('msg_') ? body.id : newId('msg_'),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: anthropicStopReasonOf(choice.finish_reason),
    stop_sequence: null,
    usage: anthropicUsageOfOpenAi(body.usage as OpenAiUsage | undefined),
  };
}
