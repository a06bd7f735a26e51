import type { Command } from 'commander';
import type { CliEnv } from '../config/cli-env.config';
import { streamChat } from '../http/chat-stream.client';
import { parsePositiveInt } from '../options/option-values.parser';
import { examples } from './command-context';

interface ChatOptions {
  model?: string;
  key?: string;
  apiUrl?: string;
  system?: string;
  maxTokens?: number;
}

export function registerChatCommand(program: Command, env: CliEnv): void {
  const chat = program
    .command('chat')
    .description('one streamed chat completion through the gateway (a smoke test)')
    .argument('<prompt>', 'the user message')
    .option('-m, --model <model>', `model or alias (default: LLMP_MODEL or ${env.defaultModel})`)
    .option('-k, --key <key>', 'llmp_ key (default: LLMP_KEY)')
    .option('--api-url <url>', `data plane URL (default: LLMP_API_URL or ${env.apiUrl})`)
    .option('--system <text>', 'a system message')
    .option('--max-tokens <n>', 'cap the answer length', parsePositiveInt)
    .action(async (prompt: string, o: ChatOptions) => {
      const summary = await streamChat(
        o.apiUrl ?? env.apiUrl,
        o.key ?? env.apiKey,
        { model: o.model ?? env.defaultModel, prompt, system: o.system, maxTokens: o.maxTokens },
        (text) => process.stdout.write(text),
      );
      process.stdout.write('\n');
      // stderr, so `llmp chat … > answer.txt` captures the answer alone.
      const tokens = summary.promptTokens === undefined ? '' : `, ${summary.promptTokens} prompt + ${summary.completionTokens ?? 0} completion tokens`;
      process.stderr.write(`[${summary.model ?? o.model ?? env.defaultModel}${tokens}${summary.finishReason ? `, ${summary.finishReason}` : ''}]\n`);
    });
  examples(chat, ['llmp chat "Say hello"', 'llmp chat "Summarise RFC 9110 in one line" --model fast --key $LLMP_KEY']);
}
