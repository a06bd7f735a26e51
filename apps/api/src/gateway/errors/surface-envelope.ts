import type { LlmpError } from '@llmp/common';
import { anthropicErrorBody } from '../anthropic/anthropic-error.envelope';
import { geminiErrorBody } from '../gemini/gemini-error.envelope';
import { ollamaErrorBody } from '../ollama/ollama-error.envelope';
import { openAiErrorBody } from './openai-error.envelope';

/**
 * The error envelope of the surface a path belongs to. Decided by path, not by controller, so failures before any
 * controller runs (malformed JSON, oversize bodies, unknown routes) still answer in the caller's dialect.
 */
export function errorBodyFor(url: string): (e: LlmpError) => unknown {
  if (url.startsWith('/v1/messages')) return anthropicErrorBody;
  if (url.startsWith('/v1beta/')) return geminiErrorBody;
  if (url.startsWith('/api/')) return ollamaErrorBody;
  return openAiErrorBody;
}
