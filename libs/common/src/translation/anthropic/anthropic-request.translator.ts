import type { Json } from '../openai-chat.types';
import { refuseForeignOutputFields, type OutputFieldRules } from '../output-fields';
import { budgetOfEffort, effortOfBudget } from '../reasoning-effort';
import { invalidField, isObject, parseDataUrl, parseToolArguments, stopList, textOfContent, toDataUrl } from '../translation-helpers';
import { UnsupportedFieldError } from '../unsupported-field.error';

const PROVIDER = 'anthropic';
const SURFACE = 'Anthropic';
/** Anthropic requires max_tokens; this is the bound when neither the client nor policy set one. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;
const MIN_THINKING_BUDGET = 1024;
const OUTPUT_RULES: OutputFieldRules = { own: ['max_tokens'], where: '/v1/messages', hint: 'limit the output with max_tokens' };

// ---------------------------------------------------------------- Anthropic → OpenAI (the inbound surface)

function anthropicImageToPart(block: Json, param: string): Json {
  const src = block.source;
  if (!isObject(src)) throw invalidField('image.source is required', param);
  if (src.type === 'base64' && typeof src.media_type === 'string' && typeof src.data === 'string') {
    return { type: 'image_url', image_url: { url: toDataUrl(src.media_type, src.data) } };
  }
  if (src.type === 'url' && typeof src.url === 'string') return { type: 'image_url', image_url: { url: src.url } };
  throw UnsupportedFieldError.forSurface(`${param}.source.type`, SURFACE);
}

function toolResultText(content: unknown, param: string): string {
  if (content === undefined || typeof content === 'string') return content ?? '';
  if (!Array.isArray(content)) throw invalidField('tool_result.content must be a string or an array', param);
  return content
    .map((b, j) => {
      if (isObject(b) && b.type === 'text' && typeof b.text === 'string') return b.text;
      // OpenAI tool messages carry text only; an image result would be silently lost.
      throw UnsupportedFieldError.forSurface(`${param}.content[${j}].type`, SURFACE);
    })
    .join('\n');
}

function userMessages(content: unknown, i: number): Json[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  if (!Array.isArray(content)) throw invalidField(`messages[${i}].content must be a string or an array`, `messages.${i}.content`);
  const tools: Json[] = [];
  const parts: Json[] = [];
  content.forEach((b, j) => {
    const param = `messages.${i}.content.${j}`;
    if (!isObject(b)) throw invalidField('content blocks must be objects', param);
    switch (b.type) {
      case 'text':
        parts.push({ type: 'text', text: String(b.text ?? '') });
        break;
      case 'image':
        parts.push(anthropicImageToPart(b, param));
        break;
      case 'tool_result':
        tools.push({ role: 'tool', tool_call_id: String(b.tool_use_id ?? ''), content: toolResultText(b.content, param) });
        break;
      default:
        throw UnsupportedFieldError.forSurface(`${param}.type=${String(b.type)}`, SURFACE);
    }
  });
  // Tool results answer the previous assistant turn, so they come before any new user text.
  if (parts.length) tools.push({ role: 'user', content: parts.every((p) => p.type === 'text') ? parts.map((p) => p.text).join('\n') : parts });
  return tools;
}

function assistantMessage(content: unknown, i: number): Json {
  if (typeof content === 'string') return { role: 'assistant', content };
  if (!Array.isArray(content)) throw invalidField(`messages[${i}].content must be a string or an array`, `messages.${i}.content`);
  let text = '';
  const toolCalls: Json[] = [];
  content.forEach((b, j) => {
    if (!isObject(b)) throw invalidField('content blocks must be objects', `messages.${i}.content.${j}`);
    switch (b.type) {
      case 'text':
        text += String(b.text ?? '');
        break;
      case 'tool_use':
        toolCalls.push({ id: String(b.id ?? ''), type: 'function', function: { name: String(b.name ?? ''), arguments: JSON.stringify(b.input ?? {}) } });
        break;
      case 'thinking':
      case 'redacted_thinking':
        // The model's own earlier reasoning: OpenAI messages have no place for it, and it never changes the request.
        break;
      default:
        throw UnsupportedFieldError.forSurface(`messages.${i}.content.${j}.type=${String(b.type)}`, SURFACE);
    }
  });
  const msg: Json = { role: 'assistant', content: text.length ? text : null };
  if (toolCalls.length) msg.tool_calls = toolCalls;
  return msg;
}

function systemText(system: unknown): string | undefined {
  if (system === undefined || system === null) return undefined;
  if (typeof system === 'string') return system;
  if (Array.isArray(system)) return textOfContent(system);
  throw invalidField('system must be a string or an array of text blocks', 'system');
}

function anthropicToolChoice(choice: Json, out: Json): void {
  switch (choice.type) {
    case 'auto':
      out.tool_choice = 'auto';
      break;
    case 'any':
      out.tool_choice = 'required';
      break;
    case 'none':
      out.tool_choice = 'none';
      break;
    case 'tool':
      out.tool_choice = { type: 'function', function: { name: String(choice.name ?? '') } };
      break;
    default:
      throw invalidField('tool_choice.type must be auto, any, tool or none', 'tool_choice.type');
  }
  if (choice.disable_parallel_tool_use === true) out.parallel_tool_calls = false;
}

/** An Anthropic Messages request → the canonical OpenAI chat body. Throws for what the canonical form cannot carry. */
export function anthropicToOpenAiRequest(body: Json): Json {
  if (typeof body.model !== 'string' || !body.model.trim()) throw invalidField('model: Field required', 'model');
  if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) {
    throw invalidField('max_tokens: must be a positive integer', 'max_tokens');
  }
  if (!Array.isArray(body.messages)) throw invalidField('messages: Field required', 'messages');
  refuseForeignOutputFields(body, OUTPUT_RULES);
  for (const f of ['top_k', 'mcp_servers', 'container'] as const) {
    if (body[f] !== undefined) throw UnsupportedFieldError.forSurface(f, SURFACE);
  }
  const messages: Json[] = [];
  const system = systemText(body.system);
  if (system !== undefined) messages.push({ role: 'system', content: system });
  body.messages.forEach((m, i) => {
    if (!isObject(m)) throw invalidField(`messages.${i} must be an object`, `messages.${i}`);
    if (m.role === 'user') messages.push(...userMessages(m.content, i));
    else if (m.role === 'assistant') messages.push(assistantMessage(m.content, i));
    else throw invalidField(`messages.${i}.role must be user or assistant`, `messages.${i}.role`);
  });
  const out: Json = { model: body.model.trim(), messages, max_tokens: body.max_tokens };
  if (body.stream === true) out.stream = true;
  if (body.temperature !== undefined) out.temperature = body.temperature;
  if (body.top_p !== undefined) out.top_p = body.top_p;
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length) out.stop = body.stop_sequences;
  if (Array.isArray(body.tools) && body.tools.length) {
    out.tools = body.tools.map((t, i) => {
      if (!isObject(t) || (t.type !== undefined && t.type !== 'custom')) {
        // Server tools (web search, code execution, computer use …) run inside Anthropic's API only.
        throw UnsupportedFieldError.forSurface(`tools.${i}.type=${String(isObject(t) ? t.type : t)}`, SURFACE);
      }
      const fn: Json = { name: t.name, parameters: t.input_schema ?? { type: 'object', properties: {} } };
      if (t.description !== undefined) fn.description = t.description;
      return { type: 'function', function: fn };
    });
  }
  if (isObject(body.tool_choice)) anthropicToolChoice(body.tool_choice, out);
  if (isObject(body.thinking)) {
    if (body.thinking.type === 'enabled') out.reasoning_effort = effortOfBudget(Number(body.thinking.budget_tokens ?? MIN_THINKING_BUDGET));
    else if (body.thinking.type === 'adaptive') out.reasoning_effort = 'medium';
  }
  if (isObject(body.metadata) && typeof body.metadata.user_id === 'string') out.user = body.metadata.user_id;
  return out;
}

// ---------------------------------------------------------------- OpenAI → Anthropic (the outbound adapter)

function imagePartToAnthropic(part: Json, param: string): Json {
  const url = isObject(part.image_url) ? part.image_url.url : part.image_url;
  if (typeof url !== 'string') throw invalidField('image_url.url is required', param);
  const data = parseDataUrl(url);
  if (data) return { type: 'image', source: { type: 'base64', media_type: data.mediaType, data: data.data } };
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw UnsupportedFieldError.forProvider(`${param}.image_url.url`, PROVIDER);
}

function userBlocks(content: unknown, i: number): Json[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalidField(`messages[${i}].content must be a string or an array`, `messages[${i}].content`);
  return content.map((p, j) => {
    const param = `messages[${i}].content[${j}]`;
    if (!isObject(p)) throw invalidField('content parts must be objects', param);
    if (p.type === 'text') return { type: 'text', text: String(p.text ?? '') };
    if (p.type === 'image_url') return imagePartToAnthropic(p, param);
    throw UnsupportedFieldError.forProvider(`${param}.type=${String(p.type)}`, PROVIDER);
  });
}

function assistantBlocks(m: Json, i: number): Json[] {
  const blocks: Json[] = [];
  const text = textOfContent(m.content);
  if (text) blocks.push({ type: 'text', text });
  if (Array.isArray(m.tool_calls)) {
    m.tool_calls.forEach((c, j) => {
      const fn = isObject(c) && isObject(c.function) ? c.function : {};
      blocks.push({
        type: 'tool_use',
        id: String(isObject(c) ? c.id : ''),
        name: String(fn.name ?? ''),
        input: parseToolArguments(fn.arguments, `messages[${i}].tool_calls[${j}].function.arguments`),
      });
    });
  }
  return blocks;
}

/** Appends blocks to the last message when it has the same role; Anthropic wants tool results in one user turn. */
function pushTurn(messages: Json[], role: 'user' | 'assistant', blocks: Json[]): void {
  const last = messages[messages.length - 1];
  if (last && last.role === role) (last.content as Json[]).push(...blocks);
  else messages.push({ role, content: blocks });
}

function toolChoiceToAnthropic(choice: unknown): Json | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  if (choice === 'none') return { type: 'none' };
  if (isObject(choice) && isObject(choice.function) && typeof choice.function.name === 'string') {
    return { type: 'tool', name: choice.function.name };
  }
  throw invalidField('tool_choice must be auto, required, none or a named function', 'tool_choice');
}

function rejectUnsupported(body: Json): void {
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw UnsupportedFieldError.forProvider('n', PROVIDER);
  for (const f of ['logprobs', 'top_logprobs', 'audio', 'prediction', 'functions', 'function_call', 'logit_bias'] as const) {
    if (body[f] !== undefined && body[f] !== null && body[f] !== false) throw UnsupportedFieldError.forProvider(f, PROVIDER);
  }
  for (const f of ['frequency_penalty', 'presence_penalty'] as const) {
    if (body[f] !== undefined && body[f] !== null && body[f] !== 0) throw UnsupportedFieldError.forProvider(f, PROVIDER);
  }
  if (Array.isArray(body.modalities) && body.modalities.some((m) => m !== 'text')) throw UnsupportedFieldError.forProvider('modalities', PROVIDER);
  const rf = body.response_format;
  // Anthropic has no JSON mode; pretending would hand back prose where the client parses JSON.
  if (isObject(rf) && rf.type !== 'text') throw UnsupportedFieldError.forProvider('response_format', PROVIDER);
}

function maxTokensOf(body: Json): number {
  const values = [body.max_completion_tokens, body.max_tokens].filter((v): v is number => typeof v === 'number' && v > 0);
  return values.length ? Math.min(...values) : ANTHROPIC_DEFAULT_MAX_TOKENS;
}

/** The canonical OpenAI chat body → an Anthropic Messages request for `model`. */
export function openAiToAnthropicRequest(body: Json, model: string, stream: boolean): Json {
  rejectUnsupported(body);
  const system: string[] = [];
  const messages: Json[] = [];
  const input = Array.isArray(body.messages) ? body.messages : [];
  input.forEach((m, i) => {
    if (!isObject(m)) throw invalidField(`messages[${i}] must be an object`, `messages[${i}]`);
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(textOfContent(m.content));
        break;
      case 'user':
        pushTurn(messages, 'user', userBlocks(m.content, i));
        break;
      case 'assistant': {
        const blocks = assistantBlocks(m, i);
        if (blocks.length) pushTurn(messages, 'assistant', blocks);
        break;
      }
      case 'tool':
        pushTurn(messages, 'user', [{ type: 'tool_result', tool_use_id: String(m.tool_call_id ?? ''), content: textOfContent(m.content) }]);
        break;
      default:
        throw UnsupportedFieldError.forProvider(`messages[${i}].role=${String(m.role)}`, PROVIDER);
    }
  });
  const maxTokens = maxTokensOf(body);
  const out: Json = { model, max_tokens: maxTokens, messages };
  if (system.length) out.system = system.join('\n\n');
  if (stream) out.stream = true;
  if (typeof body.temperature === 'number') out.temperature = Math.min(body.temperature, 1);
  if (typeof body.top_p === 'number') out.top_p = body.top_p;
  const stop = stopList(body.stop);
  if (stop?.length) out.stop_sequences = stop;
  if (Array.isArray(body.tools) && body.tools.length) {
    out.tools = body.tools.map((t, i) => {
      if (!isObject(t) || t.type !== 'function' || !isObject(t.function)) throw UnsupportedFieldError.forProvider(`tools[${i}].type`, PROVIDER);
      const tool: Json = { name: t.function.name, input_schema: t.function.parameters ?? { type: 'object', properties: {} } };
      if (t.function.description !== undefined) tool.description = t.function.description;
      return tool;
    });
  }
  const choice = toolChoiceToAnthropic(body.tool_choice);
  if (body.parallel_tool_calls === false) out.tool_choice = { ...(choice ?? { type: 'auto' }), disable_parallel_tool_use: true };
  else if (choice) out.tool_choice = choice;
  const budget = budgetOfEffort(body.reasoning_effort);
  if (budget === undefined) throw invalidField('reasoning_effort must be none, minimal, low, medium or high', 'reasoning_effort');
  if (budget !== null) {
    const fitted = Math.min(budget, maxTokens - 1);
    if (fitted < MIN_THINKING_BUDGET) {
      throw invalidField(`reasoning_effort needs max_tokens above ${MIN_THINKING_BUDGET} on provider type ${PROVIDER}`, 'reasoning_effort');
    }
    out.thinking = { type: 'enabled', budget_tokens: fitted };
    // Anthropic refuses sampling changes while thinking; temperature 1 is its only accepted value.
    delete out.temperature;
    delete out.top_p;
  }
  if (typeof body.user === 'string') out.metadata = { user_id: body.user };
  return out;
}
