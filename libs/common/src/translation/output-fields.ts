import type { Json } from './openai-chat.types';
import { invalidField, isObject } from './translation-helpers';

/**
 * Every field name that bounds the length of a reply, in the dialects llmp speaks and in the OpenAI-compatible
 * servers it may call (vLLM, llama.cpp, TGI, Ollama): a field the surface does not own could unbound (or be mistaken
 * for) the limit llmp enforces, so it is refused by name, never passed on or ignored.
 */
export const OUTPUT_LIMIT_FIELDS = [
  'max_tokens', 'max_completion_tokens', 'max_output_tokens', 'maxOutputTokens', 'maxTokens', 'maxCompletionTokens',
  'num_predict', 'n_predict', 'max_new_tokens', 'max_length',
] as const;

/** Every field name that multiplies the replies of one request (each one written, and billed, in full). */
export const CHOICE_FIELDS = ['n', 'best_of', 'bestOf', 'candidateCount', 'candidate_count', 'num_return_sequences'] as const;

/** Containers other dialects put those fields in (Gemini's generation config, Ollama's options). */
const CONTAINERS = ['generationConfig', 'generation_config', 'options'] as const;

const ALL: readonly string[] = [...OUTPUT_LIMIT_FIELDS, ...CHOICE_FIELDS];

/** What a surface accepts: its own field names, its name for messages, and how to limit the output there. */
export interface OutputFieldRules {
  own: readonly string[];
  where: string;
  hint: string;
  /** Containers this surface owns and checks itself (with `refuseForeignOutputFields(inner, …, path)`). */
  ownContainers?: readonly string[];
}

/**
 * Throws a 400 naming the first output-limit or choice field in `body` that the surface does not own: at the top
 * level (`path` ''), also inside another dialect's container; with a `path` (e.g. `generationConfig.`), in that
 * container only.
 */
export function refuseForeignOutputFields(body: Json, rules: OutputFieldRules, path = ''): void {
  for (const f of ALL) {
    if (body[f] !== undefined && !rules.own.includes(f)) throw foreign(`${path}${f}`, rules);
  }
  if (path) return;
  for (const c of CONTAINERS) {
    const inner = body[c];
    if (rules.ownContainers?.includes(c) || !isObject(inner)) continue;
    for (const f of ALL) if (inner[f] !== undefined) throw foreign(`${c}.${f}`, rules);
  }
}

function foreign(param: string, rules: OutputFieldRules): Error {
  return invalidField(`\`${param}\` is not a field of ${rules.where}: ${rules.hint}`, param);
}

/** A client's output limit: a positive integer, else a 400 naming its field. */
export function positiveLimit(value: unknown, param: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw invalidField(`\`${param}\` must be a positive integer`, param);
  return value;
}
