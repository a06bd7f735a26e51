import type { Json } from '../openai-chat.types';
import { positiveLimit, refuseForeignOutputFields, type OutputFieldRules } from '../output-fields';
import { invalidField, isObject } from '../translation-helpers';
import { UnsupportedFieldError } from '../unsupported-field.error';

const SURFACE = 'Responses';

const OUTPUT_RULES: OutputFieldRules = { own: ['max_output_tokens'], where: '/v1/responses', hint: 'limit the output with max_output_tokens' };

function contentParts(content: unknown, param: string): string | Json[] {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalidField(`${param} must be a string or an array`, param);
  const parts = content.map((p, j): Json => {
    const pp = `${param}[${j}]`;
    if (!isObject(p)) throw invalidField('content parts must be objects', pp);
    switch (p.type) {
      case 'input_text':
      case 'output_text':
      case 'text':
        return { type: 'text', text: String(p.text ?? '') };
      case 'input_image': {
        const url = p.image_url;
        if (typeof url !== 'string') throw UnsupportedFieldError.forSurface(`${pp}.file_id`, SURFACE);
        return { type: 'image_url', image_url: p.detail ? { url, detail: p.detail } : { url } };
      }
      default:
        throw UnsupportedFieldError.forSurface(`${pp}.type=${String(p.type)}`, SURFACE);
    }
  });
  return parts.every((p) => p.type === 'text') ? parts.map((p) => p.text).join('') : parts;
}

/** Input items → chat messages; consecutive function calls join one assistant message, as chat requires. */
function itemsToMessages(items: unknown[]): Json[] {
  const out: Json[] = [];
  items.forEach((item, i) => {
    const param = `input[${i}]`;
    if (!isObject(item)) throw invalidField(`${param} must be an object`, param);
    const type = item.type ?? 'message';
    switch (type) {
      case 'message': {
        const role = item.role;
        if (role !== 'user' && role !== 'assistant' && role !== 'system' && role !== 'developer') {
          throw invalidField(`${param}.role must be user, assistant, system or developer`, `${param}.role`);
        }
        const content = contentParts(item.content, `${param}.content`);
        out.push({ role, content: role === 'user' ? content : typeof content === 'string' ? content : content.map((p) => String(p.text ?? '')).join('') });
        break;
      }
      case 'function_call': {
        const call = { id: String(item.call_id ?? item.id ?? ''), type: 'function', function: { name: String(item.name ?? ''), arguments: String(item.arguments ?? '{}') } };
        const last = out[out.length - 1];
        if (last && last.role === 'assistant' && Array.isArray(last.tool_calls)) (last.tool_calls as Json[]).push(call);
        else if (last && last.role === 'assistant' && !last.tool_calls) last.tool_calls = [call];
        else out.push({ role: 'assistant', content: null, tool_calls: [call] });
        break;
      }
      case 'function_call_output':
        out.push({ role: 'tool', tool_call_id: String(item.call_id ?? ''), content: typeof item.output === 'string' ? item.output : JSON.stringify(item.output ?? '') });
        break;
      case 'reasoning':
        // The model's own earlier reasoning: chat messages have no place for it, and it never changes the request.
        break;
      default:
        throw UnsupportedFieldError.forSurface(`${param}.type=${String(type)}`, SURFACE);
    }
  });
  return out;
}

function toolChoiceOf(choice: unknown): unknown {
  if (choice === undefined || choice === null || typeof choice === 'string') return choice ?? undefined;
  if (isObject(choice) && choice.type === 'function' && typeof choice.name === 'string') return { type: 'function', function: { name: choice.name } };
  throw UnsupportedFieldError.forSurface('tool_choice', SURFACE);
}

/** A Responses API request → the canonical OpenAI chat body. Stateless: stored conversations are not supported. */
export function responsesToOpenAiRequest(body: Json): Json {
  if (typeof body.model !== 'string' || !body.model.trim()) throw invalidField('you must provide a model parameter', 'model');
  for (const f of ['previous_response_id', 'conversation', 'prompt', 'background'] as const) {
    if (body[f] !== undefined && body[f] !== null && body[f] !== false) throw UnsupportedFieldError.forSurface(f, SURFACE);
  }
  const messages: Json[] = [];
  if (typeof body.instructions === 'string' && body.instructions) messages.push({ role: 'system', content: body.instructions });
  if (typeof body.input === 'string') messages.push({ role: 'user', content: body.input });
  else if (Array.isArray(body.input)) messages.push(...itemsToMessages(body.input));
  else throw invalidField("'input' is a required property", 'input');
  const out: Json = { model: body.model.trim(), messages };
  if (body.stream === true) out.stream = true;
  refuseForeignOutputFields(body, OUTPUT_RULES);
  const maxOutput = positiveLimit(body.max_output_tokens, 'max_output_tokens');
  if (maxOutput !== undefined) out.max_tokens = maxOutput;
  for (const f of ['temperature', 'top_p', 'parallel_tool_calls', 'user', 'top_logprobs', 'seed'] as const) {
    if (body[f] !== undefined && body[f] !== null) out[f] = body[f];
  }
  if (Array.isArray(body.tools) && body.tools.length) {
    out.tools = body.tools.map((t, i) => {
      if (!isObject(t) || t.type !== 'function') {
        // Hosted tools (web search, file search, code interpreter …) run inside OpenAI's Responses API only.
        throw UnsupportedFieldError.forSurface(`tools[${i}].type=${String(isObject(t) ? t.type : t)}`, SURFACE);
      }
      const fn: Json = { name: t.name, parameters: t.parameters ?? { type: 'object', properties: {} } };
      if (t.description !== undefined) fn.description = t.description;
      if (t.strict !== undefined) fn.strict = t.strict;
      return { type: 'function', function: fn };
    });
  }
  const choice = toolChoiceOf(body.tool_choice);
  if (choice !== undefined) out.tool_choice = choice;
  const format = isObject(body.text) && isObject(body.text.format) ? body.text.format : null;
  if (format && format.type === 'json_object') out.response_format = { type: 'json_object' };
  else if (format && format.type === 'json_schema') {
    const schema: Json = { name: format.name ?? 'response', schema: format.schema };
    if (format.strict !== undefined) schema.strict = format.strict;
    out.response_format = { type: 'json_schema', json_schema: schema };
  }
  if (isObject(body.reasoning) && typeof body.reasoning.effort === 'string') out.reasoning_effort = body.reasoning.effort;
  return out;
}
