import type { Json, OpenAiUsage } from '../openai-chat.types';
import { isObject, newId, nowSeconds } from '../translation-helpers';

/** What a Responses object echoes back from the request. */
export interface ResponsesEcho {
  id: string;
  model: string;
  createdAt: number;
  request: Json;
}

export function responsesEcho(request: Json, model: string): ResponsesEcho {
  return { id: newId('resp_'), model, createdAt: nowSeconds(), request };
}

export function responsesUsageOf(u: OpenAiUsage | null | undefined): Json {
  return {
    input_tokens: u?.prompt_tokens ?? 0,
    input_tokens_details: { cached_tokens: u?.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: u?.completion_tokens ?? 0,
    output_tokens_details: { reasoning_tokens: u?.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: u?.total_tokens ?? 0,
  };
}

export function messageItem(id: string, text: string, status: 'in_progress' | 'completed'): Json {
  return { type: 'message', id, status, role: 'assistant', content: status === 'in_progress' ? [] : [outputText(text)] };
}

export function outputText(text: string): Json {
  return { type: 'output_text', text, annotations: [] };
}

export function functionCallItem(id: string, callId: string, name: string, args: string, status: 'in_progress' | 'completed'): Json {
  return { type: 'function_call', id, call_id: callId, name, arguments: args, status };
}

/** The Response object around `output`, echoing the request's settings as the Responses API does. */
export function responseObject(echo: ResponsesEcho, status: 'in_progress' | 'completed' | 'incomplete', output: Json[], usage: OpenAiUsage | null): Json {
  const r = echo.request;
  return {
    id: echo.id,
    object: 'response',
    created_at: echo.createdAt,
    status,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: r.instructions ?? null,
    max_output_tokens: r.max_output_tokens ?? null,
    model: echo.model,
    output,
    parallel_tool_calls: r.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: r.reasoning ?? { effort: null, summary: null },
    store: false,
    temperature: r.temperature ?? 1,
    text: r.text ?? { format: { type: 'text' } },
    tool_choice: r.tool_choice ?? 'auto',
    tools: r.tools ?? [],
    top_p: r.top_p ?? 1,
    truncation: 'disabled',
    usage: status === 'in_progress' ? null : responsesUsageOf(usage),
    user: r.user ?? null,
    metadata: r.metadata ?? {},
  };
}

/** An OpenAI chat completion → a Responses API response object. */
export function openAiToResponsesResponse(body: Json, echo: ResponsesEcho): Json {
  const choice = Array.isArray(body.choices) && isObject(body.choices[0]) ? body.choices[0] : {};
  const msg = isObject(choice.message) ? choice.message : {};
  const output: Json[] = [];
  if (typeof msg.content === 'string' && msg.content) output.push(messageItem(newId('msg_'), msg.content, 'completed'));
  for (const c of Array.isArray(msg.tool_calls) ? msg.tool_calls : []) {
    if (!isObject(c) || !isObject(c.function)) continue;
    output.push(functionCallItem(newId('fc_'), String(c.id ?? newId('call_')), String(c.function.name ?? ''), String(c.function.arguments ?? '{}'), 'completed'));
  }
  return responseObject(echo, choice.finish_reason === 'length' ? 'incomplete' : 'completed', output, (body.usage as OpenAiUsage | undefined) ?? null);
}
