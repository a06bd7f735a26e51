import { anthropicToOpenAiRequest } from './anthropic/anthropic-request.translator';
import { geminiToOpenAiRequest } from './gemini/gemini-request.translator';
import { ollamaChatToOpenAiRequest, ollamaGenerateToOpenAiRequest } from './ollama/ollama-request.translator';
import type { Json } from './openai-chat.types';
import { responsesToOpenAiRequest } from './responses/responses-request.translator';
import { LlmpError } from '../errors/llmp.error';

function paramOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LlmpError);
    expect((e as LlmpError).status).toBe(400);
    return (e as LlmpError).details.param;
  }
  throw new Error('expected a 400');
}

const anthropic = (extra: Json) => () => anthropicToOpenAiRequest({ model: 'm', max_tokens: 10, messages: [], ...extra });
const responses = (extra: Json) => () => responsesToOpenAiRequest({ model: 'm', input: 'hi', ...extra });
const gemini = (extra: Json) => () => geminiToOpenAiRequest({ contents: [], ...extra }, 'm', false);
const ollama = (extra: Json) => () => ollamaChatToOpenAiRequest({ model: 'm', messages: [], ...extra });

describe('output-limit and choice fields of another surface are refused by name', () => {
  it.each<[string, () => unknown, string]>([
    ['anthropic max_completion_tokens', anthropic({ max_completion_tokens: 5 }), 'max_completion_tokens'],
    ['anthropic max_output_tokens', anthropic({ max_output_tokens: 5 }), 'max_output_tokens'],
    ['anthropic n', anthropic({ n: 4 }), 'n'],
    ['anthropic generationConfig.candidateCount', anthropic({ generationConfig: { candidateCount: 4 } }), 'generationConfig.candidateCount'],
    ['responses max_tokens', responses({ max_tokens: 5 }), 'max_tokens'],
    ['responses n', responses({ n: 3 }), 'n'],
    ['responses options.num_predict', responses({ options: { num_predict: -1 } }), 'options.num_predict'],
    ['gemini top-level max_tokens', gemini({ max_tokens: 5 }), 'max_tokens'],
    ['gemini generationConfig.max_tokens', gemini({ generationConfig: { max_tokens: 5 } }), 'generationConfig.max_tokens'],
    ['gemini generationConfig.n', gemini({ generationConfig: { n: 5 } }), 'generationConfig.n'],
    ['ollama max_tokens', ollama({ max_tokens: 5 }), 'max_tokens'],
    ['ollama top-level num_predict', ollama({ num_predict: 5 }), 'num_predict'],
    ['ollama n', ollama({ n: 2 }), 'n'],
    ['ollama options.max_tokens', ollama({ options: { max_tokens: 5 } }), 'options.max_tokens'],
    ['ollama generate max_tokens', () => ollamaGenerateToOpenAiRequest({ model: 'm', prompt: 'p', max_tokens: 5 }), 'max_tokens'],
  ])('%s', (_name, fn, param) => {
    expect(paramOf(fn)).toBe(param);
  });
});

describe('each surface translates its own output field to the canonical max_tokens', () => {
  it('responses max_output_tokens, validated', () => {
    expect(responses({ max_output_tokens: 12 })()).toMatchObject({ max_tokens: 12 });
    expect(paramOf(responses({ max_output_tokens: '12' }))).toBe('max_output_tokens');
  });

  it('gemini maxOutputTokens / max_output_tokens and candidateCount, validated', () => {
    expect(gemini({ generationConfig: { maxOutputTokens: 12, candidateCount: 3 } })()).toMatchObject({ max_tokens: 12, n: 3 });
    expect(gemini({ generation_config: { max_output_tokens: 7, candidate_count: 2 } })()).toMatchObject({ max_tokens: 7, n: 2 });
    expect(paramOf(gemini({ generationConfig: { maxOutputTokens: -1 } }))).toBe('generationConfig.maxOutputTokens');
  });

  it('ollama options.num_predict; -1 and -2 (unlimited) leave the limit to llmp', () => {
    expect(ollama({ options: { num_predict: 12 } })()).toMatchObject({ max_tokens: 12 });
    expect(ollama({ options: { num_predict: -1 } })()).not.toHaveProperty('max_tokens');
    expect(ollama({ options: { num_predict: -2 } })()).not.toHaveProperty('max_tokens');
    expect(paramOf(ollama({ options: { num_predict: -3 } }))).toBe('options.num_predict');
    expect(paramOf(ollama({ options: { num_predict: 0 } }))).toBe('options.num_predict');
  });
});
