/** A JSON object as clients and providers send it; fields are checked where they are read. */
export type Json = Record<string, unknown>;

export interface OpenAiToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A streamed tool-call fragment: the first carries id and name, later ones append to `arguments`. */
export interface OpenAiToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export type OpenAiFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
}

/** The assistant message of a chat completion; `reasoning_content` is the de-facto field for thinking text. */
export interface OpenAiAssistantMessage {
  role: 'assistant';
  content: string | null;
  tool_calls?: OpenAiToolCall[];
  reasoning_content?: string;
  refusal?: null;
}

export interface OpenAiChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: { index: number; message: OpenAiAssistantMessage; finish_reason: OpenAiFinishReason | null; logprobs?: null }[];
  usage?: OpenAiUsage;
}

export interface OpenAiChunkDelta {
  role?: 'assistant';
  content?: string | null;
  reasoning_content?: string;
  tool_calls?: OpenAiToolCallDelta[];
}

export interface OpenAiChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: { index: number; delta: OpenAiChunkDelta; finish_reason: OpenAiFinishReason | null }[];
  usage?: OpenAiUsage | null;
}
