/** One parsed chunk of an OpenAI chat completions stream. */
export interface ChatChunk {
  id?: string;
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens?: number } | null;
}

/**
 * Incremental SSE decoder: feed text as it arrives, get complete `data:` payloads back. Keeps the unfinished tail,
 * because network chunks split events anywhere (even inside a multi-byte character, handled by TextDecoder upstream).
 */
export class SseDecoder {
  private buffer = '';

  push(text: string): string[] {
    this.buffer += text.replace(/\r\n/g, '\n');
    const out: string[] = [];
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const event = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const data = event
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data) out.push(data);
    }
    return out;
  }
}

/** Cost in USD of a usage at per-million prices (strings, as the prices API returns them). */
export function costOf(usage: { prompt_tokens: number; completion_tokens: number }, price?: { inputPerMillion: string; outputPerMillion: string }): number | null {
  if (!price) return null;
  return (usage.prompt_tokens * Number(price.inputPerMillion) + usage.completion_tokens * Number(price.outputPerMillion)) / 1e6;
}
