// A mock OpenAI upstream for benchmarks: fixed latency before the answer, optional SSE streaming.
// Usage: node bench/upstream.mjs <port> <latencyMs> [chunks] [chunkDelayMs]
import { createServer } from 'node:http';

const [port = '0', latencyMs = '0', chunks = '20', chunkDelayMs = '0'] = process.argv.slice(2);
const latency = Number(latencyMs);
const chunkCount = Number(chunks);
const chunkDelay = Number(chunkDelayMs);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const completion = JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 1700000000, model: 'bench',
  choices: [{ index: 0, message: { role: 'assistant', content: 'The quick brown fox jumps over the lazy dog.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 24, completion_tokens: 10, total_tokens: 34 },
});
const chunk = (content) => `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: 'bench', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const usageChunk = `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: 'bench', choices: [], usage: { prompt_tokens: 24, completion_tokens: chunkCount, total_tokens: 24 + chunkCount } })}\n\n`;

const server = createServer(async (req, res) => {
  let body = '';
  for await (const c of req) body += c;
  const stream = body.includes('"stream":true');
  if (latency) await sleep(latency);
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(completion) });
    res.end(completion);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (let i = 0; i < chunkCount; i++) {
    res.write(chunk(`tok${i} `));
    if (chunkDelay) await sleep(chunkDelay);
  }
  res.write(usageChunk);
  res.end('data: [DONE]\n\n');
});
server.keepAliveTimeout = 65_000;
server.listen(Number(port), '127.0.0.1', () => {
  process.send?.({ port: server.address().port });
});
