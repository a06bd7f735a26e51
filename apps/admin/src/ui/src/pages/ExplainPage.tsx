import { Alert, Badge, Button, Code, Group, NumberInput, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { ExplainStepDto } from '../api/schema.gen';
import { useApi } from '../auth/session';
import { ServerError } from './KeysPage';

const DECISION_COLOR: Record<ExplainStepDto['decision'], string> = { pass: 'green', deny: 'red', skipped: 'gray' };

export function ExplainPage() {
  const api = useApi();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 250);
  const keys = useQuery({ queryKey: ['keys', 'picker', q], queryFn: () => api.call('GET /admin/v1/keys', { query: { q: q || undefined, status: 'active', limit: 20 } }) });
  const [keyId, setKeyId] = useState<string | null>(null);
  const [model, setModel] = useState('');
  const [maxTokens, setMaxTokens] = useState<number | string>('');
  const [touched, setTouched] = useState(false);
  const explain = useMutation({
    mutationFn: () =>
      api.call('POST /admin/v1/policy/explain', {
        body: { keyId: keyId ?? '', request: { model, messages: [{ role: 'user', content: 'hi' }], ...(maxTokens !== '' ? { max_tokens: Number(maxTokens) } : {}) } },
      }),
  });
  return (
    <>
      <Title order={2} mb="md">
        Policy explain
      </Title>
      <Group align="flex-start" mb="md">
        <Select label="Key" searchable placeholder="Pick a key" w={280} data={(keys.data?.data ?? []).map((k) => ({ value: k.id, label: `${k.name} (${k.keyPrefix}…)` }))} value={keyId} onChange={setKeyId} searchValue={search} onSearchChange={setSearch} error={touched && !keyId ? 'Pick a key' : undefined} />
        <TextInput label="Model" placeholder="gpt-4o-mini" value={model} onChange={(e) => setModel(e.currentTarget.value)} error={touched && !model.trim() ? 'Type a model' : undefined} />
        <NumberInput label="max_tokens" placeholder="(none)" min={1} value={maxTokens} onChange={setMaxTokens} />
        <Button
          mt={25}
          loading={explain.isPending}
          onClick={() => {
            setTouched(true);
            if (keyId && model.trim()) explain.mutate();
          }}
        >
          Explain
        </Button>
      </Group>
      {explain.error && <ServerError error={explain.error} />}
      {explain.data && (
        <Stack>
          <Alert color={explain.data.allowed ? 'green' : 'red'} title={explain.data.allowed ? 'Allowed' : 'Denied'} data-testid="explain-verdict">
            {explain.data.allowed ? 'This request would be sent upstream.' : 'This request would be refused before reaching a provider.'}
          </Alert>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Stage</Table.Th>
                <Table.Th>Decision</Table.Th>
                <Table.Th>Reason</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {explain.data.steps.map((s) => (
                <Table.Tr key={s.stage}>
                  <Table.Td>{s.stage}</Table.Td>
                  <Table.Td>
                    <Badge color={DECISION_COLOR[s.decision]}>{s.decision}</Badge>
                  </Table.Td>
                  <Table.Td>
                    {s.reason}
                    {s.error?.code && <Code ml="xs">{s.error.code}</Code>}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {explain.data.upstreamBody && (
            <>
              <Title order={5}>Body sent upstream</Title>
              <Code block>{JSON.stringify(explain.data.upstreamBody, null, 2)}</Code>
            </>
          )}
        </Stack>
      )}
    </>
  );
}
