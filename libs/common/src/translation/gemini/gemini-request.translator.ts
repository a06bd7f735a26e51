import type { Json } from '../openai-chat.types';
import { positiveLimit, refuseForeignOutputFields, type OutputFieldRules } from '../output-fields';
import { budgetOfEffort, effortOfBudget } from '../reasoning-effort';
import { invalidField, isObject, newId, parseDataUrl, parseToolArguments, stopList, textOfContent, toDataUrl } from '../translation-helpers';
import { UnsupportedFieldError } from '../unsupported-field.error';

const PROVIDER = 'gemini';
const SURFACE = 'Gemini';
const OUTPUT_RULES: OutputFieldRules = {
  own: ['maxOutputTokens', 'max_output_tokens', 'candidateCount', 'candidate_count'],
  where: 'Gemini generateContent',
  hint: 'limit the output with generationConfig.maxOutputTokens, the choices with generationConfig.candidateCount',
  ownContainers: ['generationConfig', 'generation_config'],
};

/** Gemini's REST API accepts both spellings of a field (proto JSON); tools send camelCase, curl users snake_case. */
function field(body: Json, camel: string, snake: string): unknown {
  return body[camel] ?? body[snake];
}

// ---------------------------------------------------------------- Gemini → OpenAI (the inbound surface)

function partsOf(content: unknown, param: string): Json[] {
  if (typeof content === 'string') return [{ text: content }];
  if (!isObject(content)) throw invalidField(`${param} must be an object with parts`, param);
  if (!Array.isArray(content.parts)) throw invalidField(`${param}.parts must be an array`, `${param}.parts`);
  return content.parts.map((p, j) => {
    if (!isObject(p)) throw invalidField('parts must be objects', `${param}.parts[${j}]`);
    return p;
  });
}

/** Gemini matches function responses to calls by name; OpenAI by id. Ids are minted per call and consumed in order. */
class CallIds {
  private readonly pending = new Map<string, string[]>();

  issue(name: string, given: unknown): string {
    const id = typeof given === 'string' && given ? given : newId('call_');
    const queue = this.pending.get(name) ?? [];
    queue.push(id);
    this.pending.set(name, queue);
    return id;
  }

  take(name: string, given: unknown): string {
    if (typeof given === 'string' && given) return given;
    return this.pending.get(name)?.shift() ?? newId('call_');
  }
}

function geminiContentToMessages(content: Json, i: number, ids: CallIds): Json[] {
  const param = `contents[${i}]`;
  const parts = partsOf(content, param);
  const role = content.role ?? 'user';
  if (role === 'model') {
    let text = '';
    const toolCalls: Json[] = [];
    parts.forEach((p, j) => {
      if (typeof p.text === 'string') {
        if (p.thought !== true) text += p.text;
      } else if (isObject(p.functionCall)) {
        const name = String(p.functionCall.name ?? '');
        toolCalls.push({ id: ids.issue(name, p.functionCall.id), type: 'function', function: { name, arguments: JSON.stringify(p.functionCall.args ?? {}) } });
      } else if (!('thoughtSignature' in p && Object.keys(p).length === 1)) {
        throw UnsupportedFieldError.forSurface(`${param}.parts[${j}]`, SURFACE);
      }
    });
    const msg: Json = { role: 'assistant', content: text.length ? text : null };
    if (toolCalls.length) msg.tool_calls = toolCalls;
    return [msg];
  }
  if (role !== 'user' && role !== 'function') throw invalidField(`${param}.role must be user or model`, `${param}.role`);
  const out: Json[] = [];
  const userParts: Json[] = [];
  parts.forEach((p, j) => {
    const pp = `${param}.parts[${j}]`;
    const inline = p.inlineData ?? p.inline_data;
    if (typeof p.text === 'string') userParts.push({ type: 'text', text: p.text });
    else if (isObject(inline)) {
      const mime = String(inline.mimeType ?? inline.mime_type ?? '');
      if (!mime.startsWith('image/')) throw UnsupportedFieldError.forSurface(`${pp}.inlineData.mimeType=${mime}`, SURFACE);
      userParts.push({ type: 'image_url', image_url: { url: toDataUrl(mime, String(inline.data ?? '')) } });
    } else if (isObject(p.functionResponse)) {
      const name = String(p.functionResponse.name ?? '');
      out.push({ role: 'tool', tool_call_id: ids.take(name, p.functionResponse.id), content: JSON.stringify(p.functionResponse.response ?? {}) });
    } else {
      throw UnsupportedFieldError.forSurface(pp, SURFACE);
    }
  });
  if (userParts.length) {
    out.push({ role: 'user', content: userParts.every((p) => p.type === 'text') ? userParts.map((p) => p.text).join('') : userParts });
  }
  return out;
}

function geminiToolsToOpenAi(tools: unknown[]): Json[] {
  const out: Json[] = [];
  tools.forEach((t, i) => {
    if (!isObject(t)) throw invalidField('tools must be objects', `tools[${i}]`);
    for (const key of Object.keys(t)) {
      if (key !== 'functionDeclarations' && key !== 'function_declarations') {
        // Built-in tools (search, code execution, URL context) run inside Google's API only.
        throw UnsupportedFieldError.forSurface(`tools[${i}].${key}`, SURFACE);
      }
    }
    const decls = field(t, 'functionDeclarations', 'function_declarations');
    for (const d of Array.isArray(decls) ? decls : []) {
      if (!isObject(d)) continue;
      const fn: Json = { name: d.name, parameters: d.parametersJsonSchema ?? d.parameters ?? { type: 'object', properties: {} } };
      if (d.description !== undefined) fn.description = d.description;
      out.push({ type: 'function', function: fn });
    }
  });
  return out;
}

function geminiToolChoice(toolConfig: unknown): unknown {
  if (!isObject(toolConfig)) return undefined;
  const cfg = field(toolConfig, 'functionCallingConfig', 'function_calling_config');
  if (!isObject(cfg)) return undefined;
  const allowed = field(cfg, 'allowedFunctionNames', 'allowed_function_names');
  switch (cfg.mode) {
    case 'NONE':
      return 'none';
    case 'ANY':
      if (Array.isArray(allowed) && allowed.length === 1) return { type: 'function', function: { name: String(allowed[0]) } };
      if (Array.isArray(allowed) && allowed.length > 1) throw UnsupportedFieldError.forSurface('toolConfig.functionCallingConfig.allowedFunctionNames', SURFACE);
      return 'required';
    default:
      return 'auto';
  }
}

function applyGenerationConfig(cfg: Json, out: Json): void {
  const set = (to: string, camel: string, snake: string): void => {
    const v = field(cfg, camel, snake);
    if (v !== undefined && v !== null) out[to] = v;
  };
  set('temperature', 'temperature', 'temperature');
  set('top_p', 'topP', 'top_p');
  refuseForeignOutputFields(cfg, OUTPUT_RULES, 'generationConfig.');
  const maxOutput = positiveLimit(field(cfg, 'maxOutputTokens', 'max_output_tokens'), 'generationConfig.maxOutputTokens');
  if (maxOutput !== undefined) out.max_tokens = maxOutput;
  set('stop', 'stopSequences', 'stop_sequences');
  // Counted and bounded by maxChoices in the token cap stage, which names this field in its errors.
  set('n', 'candidateCount', 'candidate_count');
  set('seed', 'seed', 'seed');
  set('presence_penalty', 'presencePenalty', 'presence_penalty');
  set('frequency_penalty', 'frequencyPenalty', 'frequency_penalty');
  if (field(cfg, 'topK', 'top_k') !== undefined) throw UnsupportedFieldError.forSurface('generationConfig.topK', SURFACE);
  const modalities = field(cfg, 'responseModalities', 'response_modalities');
  if (Array.isArray(modalities) && modalities.some((m) => String(m).toUpperCase() !== 'TEXT')) {
    throw UnsupportedFieldError.forSurface('generationConfig.responseModalities', SURFACE);
  }
  const mime = field(cfg, 'responseMimeType', 'response_mime_type');
  const schema = field(cfg, 'responseJsonSchema', 'response_json_schema') ?? field(cfg, 'responseSchema', 'response_schema');
  if (mime === 'application/json') {
    out.response_format = schema ? { type: 'json_schema', json_schema: { name: 'response', schema } } : { type: 'json_object' };
  } else if (mime !== undefined && mime !== 'text/plain') {
    throw UnsupportedFieldError.forSurface('generationConfig.responseMimeType', SURFACE);
  }
  const thinking = field(cfg, 'thinkingConfig', 'thinking_config');
  if (isObject(thinking)) {
    const budget = field(thinking, 'thinkingBudget', 'thinking_budget');
    const level = field(thinking, 'thinkingLevel', 'thinking_level');
    if (typeof level === 'string') out.reasoning_effort = level.toLowerCase() === 'high' ? 'high' : 'low';
    else if (typeof budget === 'number') {
      // -1 asks Gemini to pick dynamically; 0 turns thinking off, which is the default everywhere else.
      const effort = budget < 0 ? 'medium' : effortOfBudget(budget);
      if (effort !== 'none') out.reasoning_effort = effort;
    }
  }
}

/** A Gemini generateContent request (model from the URL) → the canonical OpenAI chat body. */
export function geminiToOpenAiRequest(body: Json, model: string, stream: boolean): Json {
  if (!Array.isArray(body.contents)) throw invalidField('contents is required', 'contents');
  refuseForeignOutputFields(body, { ...OUTPUT_RULES, own: [] });
  if (field(body, 'cachedContent', 'cached_content') !== undefined) throw UnsupportedFieldError.forSurface('cachedContent', SURFACE);
  const messages: Json[] = [];
  const system = field(body, 'systemInstruction', 'system_instruction');
  if (system !== undefined) {
    messages.push({ role: 'system', content: partsOf(system, 'systemInstruction').map((p) => String(p.text ?? '')).join('\n') });
  }
  const ids = new CallIds();
  body.contents.forEach((c, i) => {
    if (!isObject(c)) throw invalidField(`contents[${i}] must be an object`, `contents[${i}]`);
    messages.push(...geminiContentToMessages(c, i, ids));
  });
  const out: Json = { model, messages };
  if (stream) out.stream = true;
  const cfg = field(body, 'generationConfig', 'generation_config');
  if (isObject(cfg)) applyGenerationConfig(cfg, out);
  if (Array.isArray(body.tools) && body.tools.length) {
    const tools = geminiToolsToOpenAi(body.tools);
    if (tools.length) out.tools = tools;
  }
  const choice = geminiToolChoice(field(body, 'toolConfig', 'tool_config'));
  if (choice !== undefined && out.tools) out.tool_choice = choice;
  // safetySettings are not forwarded: they tune Google's filters and have no meaning for other providers.
  return out;
}

// ---------------------------------------------------------------- OpenAI → Gemini (the outbound adapter)

function userParts(content: unknown, i: number): Json[] {
  if (typeof content === 'string') return [{ text: content }];
  if (!Array.isArray(content)) throw invalidField(`messages[${i}].content must be a string or an array`, `messages[${i}].content`);
  return content.map((p, j) => {
    const param = `messages[${i}].content[${j}]`;
    if (!isObject(p)) throw invalidField('content parts must be objects', param);
    if (p.type === 'text') return { text: String(p.text ?? '') };
    if (p.type === 'image_url') {
      const url = isObject(p.image_url) ? p.image_url.url : p.image_url;
      const data = typeof url === 'string' ? parseDataUrl(url) : null;
      // Gemini fetches only its own file URIs; an arbitrary http URL must be sent inline by the client.
      if (!data) throw UnsupportedFieldError.forProvider(`${param}.image_url.url`, PROVIDER);
      return { inlineData: { mimeType: data.mediaType, data: data.data } };
    }
    throw UnsupportedFieldError.forProvider(`${param}.type=${String(p.type)}`, PROVIDER);
  });
}

function pushContent(contents: Json[], role: 'user' | 'model', parts: Json[]): void {
  const last = contents[contents.length - 1];
  if (last && last.role === role) (last.parts as Json[]).push(...parts);
  else contents.push({ role, parts });
}

function toolResponse(content: unknown): Json {
  const text = textOfContent(content);
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObject(parsed)) return parsed;
  } catch {
    // Plain text results are wrapped below.
  }
  return { content: text };
}

function responseFormatToGemini(rf: unknown, cfg: Json): void {
  if (!isObject(rf) || rf.type === 'text') return;
  if (rf.type === 'json_object') cfg.responseMimeType = 'application/json';
  else if (rf.type === 'json_schema' && isObject(rf.json_schema)) {
    cfg.responseMimeType = 'application/json';
    if (rf.json_schema.schema !== undefined) cfg.responseJsonSchema = rf.json_schema.schema;
  } else throw UnsupportedFieldError.forProvider('response_format', PROVIDER);
}

function toolConfigOf(choice: unknown): Json | undefined {
  if (choice === undefined || choice === null || choice === 'auto') return undefined;
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (isObject(choice) && isObject(choice.function) && typeof choice.function.name === 'string') {
    return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
  }
  throw invalidField('tool_choice must be auto, required, none or a named function', 'tool_choice');
}

/** The canonical OpenAI chat body → a Gemini generateContent request (the model goes in the URL). */
export function openAiToGeminiRequest(body: Json): Json {
  for (const f of ['logprobs', 'top_logprobs', 'audio', 'prediction', 'functions', 'function_call', 'logit_bias'] as const) {
    if (body[f] !== undefined && body[f] !== null && body[f] !== false) throw UnsupportedFieldError.forProvider(f, PROVIDER);
  }
  if (body.parallel_tool_calls === false) throw UnsupportedFieldError.forProvider('parallel_tool_calls', PROVIDER);
  const system: string[] = [];
  const contents: Json[] = [];
  const names = new Map<string, string>();
  const input = Array.isArray(body.messages) ? body.messages : [];
  input.forEach((m, i) => {
    if (!isObject(m)) throw invalidField(`messages[${i}] must be an object`, `messages[${i}]`);
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(textOfContent(m.content));
        break;
      case 'user':
        pushContent(contents, 'user', userParts(m.content, i));
        break;
      case 'assistant': {
        const parts: Json[] = [];
        const text = textOfContent(m.content);
        if (text) parts.push({ text });
        (Array.isArray(m.tool_calls) ? m.tool_calls : []).forEach((c, j) => {
          const fn = isObject(c) && isObject(c.function) ? c.function : {};
          const name = String(fn.name ?? '');
          if (isObject(c) && typeof c.id === 'string') names.set(c.id, name);
          parts.push({ functionCall: { name, args: parseToolArguments(fn.arguments, `messages[${i}].tool_calls[${j}].function.arguments`) } });
        });
        if (parts.length) pushContent(contents, 'model', parts);
        break;
      }
      case 'tool': {
        const name = names.get(String(m.tool_call_id ?? '')) ?? String(m.name ?? '');
        pushContent(contents, 'user', [{ functionResponse: { name, response: toolResponse(m.content) } }]);
        break;
      }
      default:
        throw UnsupportedFieldError.forProvider(`messages[${i}].role=${String(m.role)}`, PROVIDER);
    }
  });
  const out: Json = { contents };
  if (system.length) out.systemInstruction = { parts: [{ text: system.join('\n\n') }] };
  const cfg: Json = {};
  if (typeof body.temperature === 'number') cfg.temperature = body.temperature;
  if (typeof body.top_p === 'number') cfg.topP = body.top_p;
  const max = [body.max_completion_tokens, body.max_tokens].filter((v): v is number => typeof v === 'number' && v > 0);
  if (max.length) cfg.maxOutputTokens = Math.min(...max);
  const stop = stopList(body.stop);
  if (stop?.length) cfg.stopSequences = stop;
  if (typeof body.n === 'number' && body.n > 1) cfg.candidateCount = body.n;
  if (typeof body.seed === 'number') cfg.seed = body.seed;
  if (typeof body.presence_penalty === 'number') cfg.presencePenalty = body.presence_penalty;
  if (typeof body.frequency_penalty === 'number') cfg.frequencyPenalty = body.frequency_penalty;
  responseFormatToGemini(body.response_format, cfg);
  const budget = budgetOfEffort(body.reasoning_effort);
  if (budget === undefined) throw invalidField('reasoning_effort must be none, minimal, low, medium or high', 'reasoning_effort');
  if (budget !== null) cfg.thinkingConfig = { thinkingBudget: budget, includeThoughts: true };
  else if (body.reasoning_effort === 'none') cfg.thinkingConfig = { thinkingBudget: 0 };
  if (Object.keys(cfg).length) out.generationConfig = cfg;
  if (Array.isArray(body.tools) && body.tools.length) {
    const decls = body.tools.map((t, i) => {
      if (!isObject(t) || t.type !== 'function' || !isObject(t.function)) throw UnsupportedFieldError.forProvider(`tools[${i}].type`, PROVIDER);
      const d: Json = { name: t.function.name };
      if (t.function.description !== undefined) d.description = t.function.description;
      if (t.function.parameters !== undefined) d.parametersJsonSchema = t.function.parameters;
      return d;
    });
    out.tools = [{ functionDeclarations: decls }];
    const toolConfig = toolConfigOf(body.tool_choice);
    if (toolConfig) out.toolConfig = toolConfig;
  }
  return out;
}
