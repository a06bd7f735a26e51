import { Alert, Button, Code, Group, Paper, PasswordInput, Select, Stack, Switch, Text, Textarea, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { useApi } from '../auth/session';
import { ErrorAlert } from '../components/QueryState';
import { fmtInt, fmtUsd } from '../lib/format';
import { costOf, SseDecoder, type ChatChunk } from '../lib/sse';

interface Outcome {
  requestId: string | null;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
  status: number;
}

/** Chat as a key: the control plane forwards to the data plane, so this exercises the real policy and routing path. */
export function PlaygroundPage() {
  const api = useApi();
  const models = useQuery({ queryKey: ['models'], queryFn: () => api.call('GET /admin/v1/models', {}) });
  const prices = useQuery({ queryKey: ['prices'], queryFn: () => api.call('GET /admin/v1/prices', {}) });
  const [secret, setSecret] = useState('');
  const [model, setModel] = useState<string | null>(null);
  const [prompt, setPrompt] = useState('Say hello in five words.');
  const [stream, setStream] = useState(true);
  const [answer, setAnswer] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [touched, setTouched] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const secretError = touched && !/^llmp_\S{8,}$/.test(secret) ? 'Paste the key\'s secret (llmp_…); llmp never stores it, so it cannot be picked from a list' : undefined;

  const send = async () => {
    setTouched(true);
    if (!/^llmp_\S{8,}$/.test(secret) || !model || !prompt.trim()) return;
    setBusy(true);
    setAnswer('');
    setOutcome(null);
    setError(null);
    abort.current = new AbortController();
    try {
      const body = { model, messages: [{ role: 'user', content: prompt }], stream, ...(stream ? { stream_options: { include_usage: true } } : {}) };
      const res = await api.fetch('POST /admin/v1/playground/chat/completions', { body: { key: secret, request: body } }, stream ? 'text/event-stream' : 'application/json', abort.current.signal);
      const requestId = res.headers.get('x-request-id');
      let usage: Outcome['usage'] = null;
      if (stream && res.body) {
        const decoder = new SseDecoder();
        const text = new TextDecoder();
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          for (const data of decoder.push(text.decode(value, { stream: true }))) {
            if (data === '[DONE]') continue;
            const chunk = JSON.parse(data) as ChatChunk & { error?: { message?: string } };
            if (chunk.error) throw new Error(chunk.error.message ?? 'stream error');
            const delta = chunk.choices?.[0]?.delta?.content;
            if (delta) setAnswer((a) => a + delta);
            if (chunk.usage) usage = chunk.usage;
          }
        }
      } else {
        const json = (await res.json()) as { choices?: { message?: { content?: string } }[]; usage?: Outcome['usage'] };
        setAnswer(json.choices?.[0]?.message?.content ?? '');
        usage = json.usage ?? null;
      }
      setOutcome({ requestId, usage, status: res.status });
    } catch (e) {
      // The data plane's errors arrive in the OpenAI envelope ({error:{message,code}}), which toApiError reads too.
      setError(e instanceof ApiError ? new Error(`${e.status} ${e.code}: ${e.message}`) : e);
    } finally {
      setBusy(false);
    }
  };

  const price = prices.data?.find((p) => p.model === model);
  const cost = outcome?.usage ? costOf(outcome.usage, price) : null;
  return (
    <>
      <Title order={2} mb="md">
        Playground
      </Title>
      <Stack maw={900}>
        <Group align="flex-start" grow>
          <PasswordInput label="Key secret" placeholder="llmp_…" value={secret} onChange={(e) => setSecret(e.currentTarget.value)} error={secretError} data-testid="pg-secret" />
          <Select label="Model" data={(models.data ?? []).map((m) => m.name)} value={model} onChange={setModel} error={touched && !model ? 'Pick a model' : undefined} data-testid="pg-model" />
        </Group>
        <Textarea label="Message" autosize minRows={3} value={prompt} onChange={(e) => setPrompt(e.currentTarget.value)} error={touched && !prompt.trim() ? 'Type a message' : undefined} />
        <Group>
          <Switch label="Stream" checked={stream} onChange={(e) => setStream(e.currentTarget.checked)} />
          <Button onClick={() => void send()} loading={busy} data-testid="pg-send">
            Send
          </Button>
          {busy && (
            <Button variant="default" onClick={() => abort.current?.abort()}>
              Stop
            </Button>
          )}
        </Group>
        {error !== null && <ErrorAlert error={error} title="The gateway refused or failed" />}
        {(answer || busy) && (
          <Paper withBorder p="md" data-testid="pg-answer">
            <Text style={{ whiteSpace: 'pre-wrap' }}>{answer || '…'}</Text>
          </Paper>
        )}
        {outcome && (
          <Alert color="gray" data-testid="pg-outcome">
            request id <Code>{outcome.requestId ?? 'n/a'}</Code> · prompt {fmtInt(outcome.usage?.prompt_tokens)} · completion {fmtInt(outcome.usage?.completion_tokens)} tokens · cost {cost === null ? 'unpriced' : fmtUsd(cost)}
          </Alert>
        )}
      </Stack>
    </>
  );
}
