import type { Json, OpenAiAssistantMessage, OpenAiChatCompletion, OpenAiFinishReason, OpenAiToolCall, OpenAiUsage } from '../openai-chat.types';
import { count, isObject, newId, nowSeconds, usageOf } from '../translation-helpers';

export function finishReasonOfGemini(reason: unknown, hasToolCalls: boolean): OpenAiFinishReason {
  switch (reason) {
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
      return 'content_filter';
    default:
      return hasToolCalls ? 'tool_calls' : 'stop';
  }
}

export function geminiFinishReasonOf(finish: unknown): string {
  switch (finish) {
    case 'length':
      return 'MAX_TOKENS';
    case 'content_filter':
      return 'SAFETY';
    default:
      return 'STOP';
  }
}

/** Gemini usage metadata → OpenAI usage; thinking tokens are billed as output, as Google bills them. */
export function openAiUsageOfGemini(meta: unknown): OpenAiUsage {
  const m = isObject(meta) ? meta : {};
  const thoughts = count(m.thoughtsTokenCount);
  return usageOf(count(m.promptTokenCount), count(m.candidatesTokenCount) + thoughts, count(m.cachedContentTokenCount), thoughts);
}

export function geminiUsageOfOpenAi(u: OpenAiUsage | null | undefined): Json {
  const meta: Json = {
    promptTokenCount: u?.prompt_tokens ?? 0,
    candidatesTokenCount: u?.completion_tokens ?? 0,
    totalTokenCount: u?.total_tokens ?? (u?.prompt_tokens ?? 0) + (u?.completion_tokens ?? 0),
  };
  if (u?.completion_tokens_details?.reasoning_tokens) meta.thoughtsTokenCount = u.completion_tokens_details.reasoning_tokens;
  return meta;
}

/** One candidate's parts → text, thinking text and tool calls. */
export function readGeminiParts(parts: unknown): { text: string; reasoning: string; toolCalls: OpenAiToolCall[] } {
  let text = '';
  let reasoning = '';
  const toolCalls: OpenAiToolCall[] = [];
  for (const p of Array.isArray(parts) ? parts : []) {
    if (!isObject(p)) continue;
    if (typeof p.text === 'string') {
      if (p.thought === true) reasoning += p.text;
      else text += p.text;
    } else if (isObject(p.functionCall)) {
      const fc = p.functionCall;
      toolCalls.push({
        id: typeof fc.id === 'string' && fc.id ? fc.id : newId('call_'),
        type: 'function',
        function: { name: String(fc.name ?? ''), arguments: JSON.stringify(fc.args ?? {}) },
      });
    }
  }
  return { text, reasoning, toolCalls };
}

/** A generateContent answer → an OpenAI chat completion (one choice per candidate). */
export function geminiToOpenAiResponse(body: Json, model: string): OpenAiChatCompletion {
  const candidates = Array.isArray(body.candidates) ? body.candidates.filter(isObject) : [];
  const choices = candidates.map((c, i) => {
    const { text, reasoning, toolCalls } = readGeminiParts(isObject(c.content) ? c.content.parts : undefined);
    const message: OpenAiAssistantMessage = { role: 'assistant', content: text.length || !toolCalls.length ? text : null };
    if (toolCalls.length) message.tool_calls = toolCalls;
    if (reasoning) message.reasoning_content = reasoning;
    return { index: typeof c.index === 'number' ? c.index : i, message, finish_reason: finishReasonOfGemini(c.finishReason, toolCalls.length > 0) };
  });
  if (!choices.length) {
    // A blocked prompt comes back with promptFeedback and no candidates.
    choices.push({ index: 0, message: { role: 'assistant', content: '' }, finish_reason: 'content_filter' });
  }
  return {
    id: typeof body.responseId === 'string' ? body.responseId : newId('chatcmpl-'),
    object: 'chat.completion',
    created: nowSeconds(),
    model,
    choices,
    usage: openAiUsageOfGemini(body.usageMetadata),
  };
}

/** Gemini parts for an OpenAI assistant message (or accumulated stream state). */
export function geminiPartsOf(text: string, reasoning: string, toolCalls: readonly OpenAiToolCall[]): Json[] {
  const parts: Json[] = [];
  if (reasoning) parts.push({ text: reasoning, thought: true });
  if (text) parts.push({ text });
  for (const c of toolCalls) {
    let args: unknown = {};
    try {
      args = JSON.parse(c.function.arguments || '{}');
    } catch {
      args = { arguments: c.function.arguments };
    }
    parts.push({ functionCall: { id: c.id, name: c.function.name, args } });
  }
  return parts;
}

/** An OpenAI chat completion → a Gemini generateContent answer. */
export function openAiToGeminiResponse(body: Json, model: string): Json {
  const choices = Array.isArray(body.choices) ? body.choices.filter(isObject) : [];
  return {
    candidates: choices.map((c, i) => {
      const msg = isObject(c.message) ? c.message : {};
      const reasoning = msg.reasoning_content ?? msg.reasoning;
      const calls = (Array.isArray(msg.tool_calls) ? msg.tool_calls : []) as OpenAiToolCall[];
      return {
        content: { role: 'model', parts: geminiPartsOf(typeof msg.content === 'string' ? msg.content : '', typeof reasoning === 'string' ? reasoning : '', calls) },
        finishReason: geminiFinishReasonOf(c.finish_reason),
        index: typeof c.index === 'number' ? c.index : i,
      };
    }),
    usageMetadata: geminiUsageOfOpenAi(body.usage as OpenAiUsage | undefined),
    modelVersion: model,
    responseId: typeof body.id === 'string' ? body.id : newId('resp_'),
  };
}
