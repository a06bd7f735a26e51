import { Badge, Button, Code, Group, Paper, Spoiler, Stack, Table, Text, TextInput, Timeline, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type ChangeEvent } from 'react';
import type { AuditEventDto } from '../api/schema.gen';
import { useApi } from '../auth/session';
import { Pager } from '../components/Pager';
import { QueryState } from '../components/QueryState';
import { diffObjects } from '../lib/diff';
import { fmtTime } from '../lib/format';
import { useCursorPages } from '../lib/use-cursor-pages';

export function AuditPage() {
  const api = useApi();
  const [filters, setFilters] = useState({ actor: '', action: '', target: '' });
  const [debounced] = useDebouncedValue(filters, 300);
  const pages = useCursorPages();
  const events = useQuery({
    queryKey: ['audit', debounced, pages.cursor],
    queryFn: () => api.call('GET /admin/v1/audit', { query: { ...debounced, limit: 50, cursor: pages.cursor } }),
    placeholderData: keepPreviousData,
  });
  const set = (k: keyof typeof filters) => (e: ChangeEvent<HTMLInputElement>) => {
    setFilters({ ...filters, [k]: e.currentTarget.value });
    pages.reset();
  };
  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={2}>Audit</Title>
        <ChainStatus />
      </Group>
      <Group mb="md">
        <TextInput placeholder="Actor id" value={filters.actor} onChange={set('actor')} aria-label="Actor filter" />
        <TextInput placeholder="Action (e.g. key.create)" value={filters.action} onChange={set('action')} aria-label="Action filter" />
        <TextInput placeholder="Target" value={filters.target} onChange={set('target')} aria-label="Target filter" />
      </Group>
      <QueryState isLoading={events.isLoading} error={events.error} isEmpty={!events.data?.data.length} empty="No audit events match.">
        <Timeline bulletSize={14} lineWidth={2} data-testid="audit-timeline">
          {events.data?.data.map((e) => (
            <Timeline.Item key={e.seq} title={<AuditTitle e={e} />}>
              <AuditBody e={e} />
            </Timeline.Item>
          ))}
        </Timeline>
      </QueryState>
      <Pager page={pages.page} hasNext={!!events.data?.nextCursor} busy={events.isFetching} onPrev={pages.prev} onNext={() => events.data?.nextCursor && pages.next(events.data.nextCursor)} />
    </>
  );
}

function ChainStatus() {
  const api = useApi();
  // Verification recomputes the chain server-side, so it only runs when asked.
  const verify = useQuery({ queryKey: ['audit-verify'], queryFn: () => api.call('GET /admin/v1/audit/verify', {}), enabled: false });
  return (
    <Group gap="xs" data-testid="chain-status">
      {verify.data && (verify.data.ok ? <Badge color="green">chain intact ({verify.data.checked} events)</Badge> : <Badge color="red">chain broken at #{verify.data.firstBrokenSeq}</Badge>)}
      {verify.error && <Badge color="red">verification failed</Badge>}
      <Button size="xs" variant="light" loading={verify.isFetching} onClick={() => void verify.refetch()}>
        Verify chain
      </Button>
    </Group>
  );
}

function AuditTitle({ e }: { e: AuditEventDto }) {
  return (
    <Group gap="xs">
      <Text fw={600}>{e.action}</Text>
      {e.target && <Code>{e.target}</Code>}
      <Text size="xs" c="dimmed">
        #{e.seq} · {fmtTime(e.time)} · {e.actorType}
        {e.actorId ? ` ${e.actorId}` : ''}
        {e.sourceIp ? ` from ${e.sourceIp}` : ''}
      </Text>
    </Group>
  );
}

function show(v: unknown): string {
  return v === undefined ? '—' : JSON.stringify(v);
}

function AuditBody({ e }: { e: AuditEventDto }) {
  const changes = diffObjects(e.before, e.after);
  if (!changes.length) return e.requestId ? <Text size="xs" c="dimmed">request {e.requestId}</Text> : null;
  return (
    <Paper withBorder p="xs" mt={4}>
      {/* A create lists every field; keep the timeline scannable and let the reader expand it. */}
      <Spoiler maxHeight={110} showLabel="Show all changes" hideLabel="Show less">
      <Table fz="xs">
        <Table.Tbody>
          {changes.map((c) => (
            <Table.Tr key={c.field}>
              <Table.Td fw={600}>{c.field}</Table.Td>
              <Table.Td c="red" td={c.kind === 'added' ? undefined : 'line-through'}>{show(c.before)}</Table.Td>
              <Table.Td c="green">{show(c.after)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      </Spoiler>
      {e.requestId && (
        <Stack gap={0} mt={4}>
          <Text size="xs" c="dimmed">
            request {e.requestId}
          </Text>
        </Stack>
      )}
    </Paper>
  );
}

