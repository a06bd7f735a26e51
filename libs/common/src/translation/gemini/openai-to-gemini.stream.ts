import type { Json, OpenAiToolCallDelta, OpenAiUsage } from '../openai-chat.types';
import { ToolCallAccumulator } from '../tool-call-accumulator';
import { isObject } from '../translation-helpers';
import { geminiFinishReasonOf, geminiPartsOf, geminiUsageOfOpenAi } from './gemini-response.translator';

/**
 * OpenAI chunks → Gemini stream responses, for the inbound Gemini surface. Text streams as it arrives; function
 * calls are sent whole (as Gemini does) with the finish reason and usage in the last response.
 */
export class OpenAiToGeminiStream {
  private readonly tools = new ToolCallAccumulator();
  private finish: unknown = null;
  private usage: OpenAiUsage | null = null;

  constructor(private readonly model: string) {}

  push(chunk: Json): Json[] {
    if (isObject(chunk.usage)) this.usage = chunk.usage as unknown as OpenAiUsage;
    const choice = Array.isArray(chunk.choices) && isObject(chunk.choices[0]) ? chunk.choices[0] : null;
    if (!choice) return [];
    const delta = isObject(choice.delta) ? choice.delta : {};
    if (choice.finish_reason) this.finish = choice.finish_reason;
    this.tools.push(Array.isArray(delta.tool_calls) ? (delta.tool_calls as OpenAiToolCallDelta[]) : undefined);
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    const parts = geminiPartsOf(typeof delta.content === 'string' ? delta.content : '', typeof reasoning === 'string' ? reasoning : '', []);
    return parts.length ? [this.response(parts)] : [];
  }

  end(): Json[] {
    const last = this.response(geminiPartsOf('', '', this.tools.drain()));
    (last.candidates as Json[])[0].finishReason = geminiFinishReasonOf(this.finish);
    last.usageMetadata = geminiUsageOfOpenAi(this.usage);
    return [last];
  }

  private response(parts: Json[]): Json {
    return { candidates: [{ content: { role: 'model', parts }, index: 0 }], modelVersion: this.model };
  }
}
