import type { Json } from '../openai-chat.types';
import { refuseForeignOutputFields, type OutputFieldRules } from '../output-fields';
import { budgetOfEffort } from '../reasoning-effort';
import { invalidField, isObject, newId, parseDataUrl, parseToolArguments, stopList, textOfContent, toDataUrl } from '../translation-helpers';
import { UnsupportedFieldError } from '../unsupported-field.error';

const PROVIDER = 'ollama';
const SURFACE = 'Ollama';
const OUTPUT_RULES: OutputFieldRules = {
  own: [],
  where: 'the Ollama API',
  hint: 'limit the output with options.num_predict',
  ownContainers: ['options'],
};
/** `num_predict` values that mean "no limit" in Ollama (-1 infinite, -2 fill the context): llmp's limit applies. */
const UNLIMITED_PREDICT = new Set([-1, -2]);

/** Options that change what the model writes and map to OpenAI fields. */
const SAMPLING: Record<string, string> = {
  temperature: 'temperature',
  top_p: 'top_p',
  seed: 'seed',
  presence_penalty: 'presence_penalty',
  frequency_penalty: 'frequency_penalty',
};
/** Options that tune the runtime (memory, threads, context window) and have no meaning on another provider. */
const RUNTIME = new Set(['num_ctx', 'num_batch', 'num_gpu', 'main_gpu', 'num_thread', 'use_mmap', 'use_mlock', 'numa', 'low_vram', 'num_keep', 'vocab_only']);

// ---------------------------------------------------------------- Ollama → OpenAI (the inbound surface)

/** Ollama images are bare base64; the leading bytes tell the format. */
function mimeOfBase64(data: string): string {
  if (data.startsWith('/9j/')) return 'image/jpeg';
  if (data.startsWith('R0lG')) return 'image/gif';
  if (data.startsWith('UklGR')) return 'image/webp';
  return 'image/png';
}

function withImages(text: string, images: unknown, param: string): string | Json[] {
  if (images === undefined || images === null || (Array.isArray(images) && images.length === 0)) return text;
  if (!Array.isArray(images) || !images.every((i) => typeof i === 'string')) throw invalidField('images must be an array of base64 strings', param);
  const parts: Json[] = text ? [{ type: 'text', text }] : [];
  for (const img of images as string[]) parts.push({ type: 'image_url', image_url: { url: toDataUrl(mimeOfBase64(img), img) } });
  return parts;
}

function applyOptions(options: unknown, out: Json): void {
  if (options === undefined || options === null) return;
  if (!isObject(options)) throw invalidField('options must be an object', 'options');
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined || v === null || RUNTIME.has(k)) continue;
    if (k === 'stop') out.stop = v;
    else if (k === 'num_predict') {
      if (typeof v === 'number' && UNLIMITED_PREDICT.has(v)) continue;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
        throw invalidField('`options.num_predict` must be a positive integer, or -1 / -2 for no limit of the client', 'options.num_predict');
      }
      out.max_tokens = v;
    } else if (k in SAMPLING) out[SAMPLING[k]] = v;
    else throw UnsupportedFieldError.forSurface(`options.${k}`, SURFACE);
  }
}

function applyCommon(body: Json, out: Json, stream: boolean): void {
  refuseForeignOutputFields(body, OUTPUT_RULES);
  if (stream) out.stream = true;
  applyOptions(body.options, out);
  if (body.format === 'json') out.response_format = { type: 'json_object' };
  else if (isObject(body.format)) out.response_format = { type: 'json_schema', json_schema: { name: 'response', schema: body.format } };
  else if (body.format !== undefined && body.format !== null && body.format !== '') throw invalidField('format must be "json" or a JSON schema', 'format');
  if (body.think === true) out.reasoning_effort = 'medium';
  else if (typeof body.think === 'string' && ['low', 'medium', 'high'].includes(body.think)) out.reasoning_effort = body.think;
}

function requireModel(body: Json): string {
  if (typeof body.model !== 'string' || !body.model.trim()) throw invalidField('model is required', 'model');
  return body.model.trim();
}

/** Ollama streams unless told not to. */
export function ollamaWantsStream(body: Json): boolean {
  return body.stream !== false;
}

/** An Ollama `/api/chat` request → the canonical OpenAI chat body. */
export function ollamaChatToOpenAiRequest(body: Json): Json {
  const model = requireModel(body);
  if (!Array.isArray(body.messages)) throw invalidField('messages is required', 'messages');
  const pending = new Map<string, string[]>();
  const messages = body.messages.map((m, i): Json => {
    if (!isObject(m)) throw invalidField(`messages[${i}] must be an object`, `messages[${i}]`);
    const content = typeof m.content === 'string' ? m.content : '';
    switch (m.role) {
      case 'system':
        return { role: 'system', content };
      case 'user':
        return { role: 'user', content: withImages(content, m.images, `messages[${i}].images`) };
      case 'assistant': {
        const msg: Json = { role: 'assistant', content: content.length ? content : null };
        if (Array.isArray(m.tool_calls) && m.tool_calls.length) {
          msg.tool_calls = m.tool_calls.map((c) => {
            const fn = isObject(c) && isObject(c.function) ? c.function : {};
            const name = String(fn.name ?? '');
            const id = isObject(c) && typeof c.id === 'string' ? c.id : newId('call_');
            pending.set(name, [...(pending.get(name) ?? []), id]);
            return { id, type: 'function', function: { name, arguments: JSON.stringify(fn.arguments ?? {}) } };
          });
        }
        return msg;
      }
      case 'tool': {
        // Ollama names the tool a result belongs to; OpenAI needs the call id, so results pair with calls in order.
        const name = String(m.tool_name ?? m.name ?? '');
        const id = typeof m.tool_call_id === 'string' ? m.tool_call_id : pending.get(name)?.shift() ?? newId('call_');
        return { role: 'tool', tool_call_id: id, content };
      }
      default:
        throw invalidField(`messages[${i}].role must be system, user, assistant or tool`, `messages[${i}].role`);
    }
  });
  const out: Json = { model, messages };
  if (Array.isArray(body.tools) && body.tools.length) out.tools = body.tools;
  applyCommon(body, out, ollamaWantsStream(body));
  return out;
}

/** An Ollama `/api/generate` request → the canonical OpenAI chat body (system + one user turn). */
export function ollamaGenerateToOpenAiRequest(body: Json): Json {
  const model = requireModel(body);
  for (const f of ['suffix', 'template', 'raw'] as const) {
    if (body[f] !== undefined && body[f] !== null && body[f] !== false && body[f] !== '') throw UnsupportedFieldError.forSurface(f, SURFACE);
  }
  if (Array.isArray(body.context) && body.context.length) throw UnsupportedFieldError.forSurface('context', SURFACE);
  if (typeof body.prompt !== 'string') throw invalidField('prompt is required', 'prompt');
  const messages: Json[] = [];
  if (typeof body.system === 'string' && body.system) messages.push({ role: 'system', content: body.system });
  messages.push({ role: 'user', content: withImages(body.prompt, body.images, 'images') });
  const out: Json = { model, messages };
  applyCommon(body, out, ollamaWantsStream(body));
  return out;
}

// ---------------------------------------------------------------- OpenAI → Ollama (the outbound adapter)

function imagesOf(content: unknown, i: number): { text: string; images: string[] } {
  if (!Array.isArray(content)) return { text: textOfContent(content), images: [] };
  let text = '';
  const images: string[] = [];
  content.forEach((p, j) => {
    const param = `messages[${i}].content[${j}]`;
    if (!isObject(p)) throw invalidField('content parts must be objects', param);
    if (p.type === 'text') text += String(p.text ?? '');
    else if (p.type === 'image_url') {
      const url = isObject(p.image_url) ? p.image_url.url : p.image_url;
      const data = typeof url === 'string' ? parseDataUrl(url) : null;
      // Ollama takes inline base64 images only; it never fetches URLs.
      if (!data) throw UnsupportedFieldError.forProvider(`${param}.image_url.url`, PROVIDER);
      images.push(data.data);
    } else throw UnsupportedFieldError.forProvider(`${param}.type=${String(p.type)}`, PROVIDER);
  });
  return { text, images };
}

/** The canonical OpenAI chat body → an Ollama native `/api/chat` request. */
export function openAiToOllamaRequest(body: Json, model: string, stream: boolean): Json {
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw UnsupportedFieldError.forProvider('n', PROVIDER);
  for (const f of ['logprobs', 'top_logprobs', 'audio', 'prediction', 'functions', 'function_call', 'logit_bias'] as const) {
    if (body[f] !== undefined && body[f] !== null && body[f] !== false) throw UnsupportedFieldError.forProvider(f, PROVIDER);
  }
  const names = new Map<string, string>();
  const input = Array.isArray(body.messages) ? body.messages : [];
  const messages = input.map((m, i): Json => {
    if (!isObject(m)) throw invalidField(`messages[${i}] must be an object`, `messages[${i}]`);
    switch (m.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: textOfContent(m.content) };
      case 'user': {
        const { text, images } = imagesOf(m.content, i);
        return images.length ? { role: 'user', content: text, images } : { role: 'user', content: text };
      }
      case 'assistant': {
        const msg: Json = { role: 'assistant', content: textOfContent(m.content) };
        if (Array.isArray(m.tool_calls) && m.tool_calls.length) {
          msg.tool_calls = m.tool_calls.map((c, j) => {
            const fn = isObject(c) && isObject(c.function) ? c.function : {};
            if (isObject(c) && typeof c.id === 'string') names.set(c.id, String(fn.name ?? ''));
            return { function: { name: String(fn.name ?? ''), arguments: parseToolArguments(fn.arguments, `messages[${i}].tool_calls[${j}].function.arguments`) } };
          });
        }
        return msg;
      }
      case 'tool':
        return { role: 'tool', content: textOfContent(m.content), tool_name: names.get(String(m.tool_call_id ?? '')) ?? String(m.name ?? '') };
      default:
        throw UnsupportedFieldError.forProvider(`messages[${i}].role=${String(m.role)}`, PROVIDER);
    }
  });
  const out: Json = { model, messages, stream };
  const options: Json = {};
  if (typeof body.temperature === 'number') options.temperature = body.temperature;
  if (typeof body.top_p === 'number') options.top_p = body.top_p;
  if (typeof body.seed === 'number') options.seed = body.seed;
  if (typeof body.presence_penalty === 'number') options.presence_penalty = body.presence_penalty;
  if (typeof body.frequency_penalty === 'number') options.frequency_penalty = body.frequency_penalty;
  const max = [body.max_completion_tokens, body.max_tokens].filter((v): v is number => typeof v === 'number' && v > 0);
  if (max.length) options.num_predict = Math.min(...max);
  const stop = stopList(body.stop);
  if (stop?.length) options.stop = stop;
  if (Object.keys(options).length) out.options = options;
  const rf = body.response_format;
  if (isObject(rf) && rf.type === 'json_object') out.format = 'json';
  else if (isObject(rf) && rf.type === 'json_schema' && isObject(rf.json_schema)) out.format = rf.json_schema.schema ?? 'json';
  else if (isObject(rf) && rf.type !== 'text') throw UnsupportedFieldError.forProvider('response_format', PROVIDER);
  const budget = budgetOfEffort(body.reasoning_effort);
  if (budget === undefined) throw invalidField('reasoning_effort must be none, minimal, low, medium or high', 'reasoning_effort');
  if (budget !== null) out.think = true;
  else if (body.reasoning_effort === 'none') out.think = false;
  if (Array.isArray(body.tools) && body.tools.length && body.tool_choice !== 'none') {
    // Ollama always lets the model decide; forcing a call would silently become a suggestion.
    if (body.tool_choice !== undefined && body.tool_choice !== null && body.tool_choice !== 'auto') throw UnsupportedFieldError.forProvider('tool_choice', PROVIDER);
    out.tools = body.tools;
  }
  return out;
}
