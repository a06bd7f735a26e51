import { Alert, Card, Grid, Group, Progress, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { UsageReportDto, UsageSumsDto } from '../api/schema.gen';
import { can } from '../auth/permissions';
import { useApi, useSession } from '../auth/session';
import { QueryState } from '../components/QueryState';
import { StackedChart } from '../components/StackedChart';
import { fmtInt, fmtPct, fmtUsd, utcStarts } from '../lib/format';
import { stackRows } from '../lib/usage-report';

function Stat({ label, sums, testId }: { label: string; sums?: UsageSumsDto; testId: string }) {
  return (
    <Card withBorder data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <SimpleGrid cols={4} mt="xs">
        <Stack gap={0}>
          <Text fw={700}>{fmtInt(sums?.requests)}</Text>
          <Text size="xs" c="dimmed">requests</Text>
        </Stack>
        <Stack gap={0}>
          <Text fw={700}>{fmtInt(sums?.totalTokens)}</Text>
          <Text size="xs" c="dimmed">tokens</Text>
        </Stack>
        <Stack gap={0}>
          <Text fw={700}>{fmtUsd(sums?.costUsd)}</Text>
          <Text size="xs" c="dimmed">spend</Text>
        </Stack>
        <Stack gap={0}>
          <Text fw={700}>{sums && sums.requests ? fmtPct(sums.errors / sums.requests) : '—'}</Text>
          <Text size="xs" c="dimmed">errors</Text>
        </Stack>
      </SimpleGrid>
    </Card>
  );
}

function TopList({ title, report, label }: { title: string; report?: UsageReportDto; label: (r: UsageReportDto['rows'][number]) => string }) {
  const rows = [...(report?.rows ?? [])].sort((a, b) => Number(b.costUsd) - Number(a.costUsd) || b.totalTokens - a.totalTokens).slice(0, 5);
  return (
    <Card withBorder>
      <Text fw={600} mb="xs">
        {title}
      </Text>
      {rows.length ? (
        <Table fz="sm">
          <Table.Tbody>
            {rows.map((r, i) => (
              <Table.Tr key={i}>
                <Table.Td>{label(r)}</Table.Td>
                <Table.Td ta="right">{fmtInt(r.totalTokens)} tok</Table.Td>
                <Table.Td ta="right">{fmtUsd(r.costUsd)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : (
        <Text size="sm" c="dimmed">No usage this month.</Text>
      )}
    </Card>
  );
}

/** Reports come from rollups, so each card is one cheap query however many ledger rows exist. */
export function OverviewPage() {
  const api = useApi();
  const { session } = useSession();
  const { today, month } = useMemo(() => utcStarts(), []);
  const allowed = can(session?.role, 'usage.read');
  const report = (from: string, groupBy?: string) => ({
    queryKey: ['usage', 'overview', from, groupBy ?? ''],
    queryFn: () => api.call('GET /admin/v1/usage', { query: { from, groupBy } }),
    enabled: allowed,
  });
  const todayQ = useQuery(report(today));
  const monthQ = useQuery(report(month));
  const byDay = useQuery(report(month, 'day'));
  const byKey = useQuery(report(month, 'key'));
  const byTeam = useQuery(report(month, 'team'));
  const byModel = useQuery(report(month, 'model'));
  const keys = useQuery({ queryKey: ['keys', 'overview'], queryFn: () => api.call('GET /admin/v1/keys', { query: { status: 'active', limit: 200 } }) });
  const nearBudget = useMemo(() => {
    const spend = new Map((byKey.data?.rows ?? []).map((r) => [r.keyId, Number(r.costUsd)]));
    return (keys.data?.data ?? [])
      .filter((k) => k.budgetUsd && k.budgetPeriod === 'month')
      .map((k) => ({ k, ratio: (spend.get(k.id) ?? 0) / (k.budgetUsd ?? 1) }))
      .filter((x) => x.ratio >= 0.8)
      .sort((a, b) => b.ratio - a.ratio);
  }, [keys.data, byKey.data]);
  if (!allowed)
    return (
      <>
        <Title order={2} mb="md">Overview</Title>
        <Alert>Usage and spend are visible to the admin and finance roles. Use the menu to browse keys, teams and models.</Alert>
      </>
    );
  return (
    <>
      <Title order={2} mb="md">
        Overview
      </Title>
      <QueryState isLoading={todayQ.isLoading || monthQ.isLoading} error={todayQ.error ?? monthQ.error} isEmpty={false} empty="">
        <SimpleGrid cols={2} mb="md">
          <Stat label="Today (UTC)" sums={todayQ.data?.totals} testId="stat-today" />
          <Stat label="This month" sums={monthQ.data?.totals} testId="stat-month" />
        </SimpleGrid>
      </QueryState>
      <Card withBorder mb="md">
        <Text fw={600} mb="xs">Spend per day this month</Text>
        {byDay.data?.rows.length ? <StackedChart data={stackRows(byDay.data.rows, new Set(['day']), 'costUsd')} height={220} /> : <Text size="sm" c="dimmed">No usage this month.</Text>}
      </Card>
      <Grid mb="md">
        <Grid.Col span={4}>
          <TopList title="Top keys" report={byKey.data} label={(r) => r.keyName ?? r.keyId ?? '(none)'} />
        </Grid.Col>
        <Grid.Col span={4}>
          <TopList title="Top teams" report={byTeam.data} label={(r) => r.teamName ?? r.teamId ?? '(no team)'} />
        </Grid.Col>
        <Grid.Col span={4}>
          <TopList title="Top models" report={byModel.data} label={(r) => r.model ?? '?'} />
        </Grid.Col>
      </Grid>
      <Card withBorder>
        <Text fw={600} mb="xs">Keys near their monthly budget</Text>
        {nearBudget.length ? (
          nearBudget.map(({ k, ratio }) => (
            <Group key={k.id} mb={4}>
              <Text size="sm" w={200}>{k.name}</Text>
              <Progress value={Math.min(100, ratio * 100)} color={ratio >= 1 ? 'red' : 'orange'} w={240} />
              <Text size="sm">{fmtPct(ratio)} of {fmtUsd(k.budgetUsd)}</Text>
            </Group>
          ))
        ) : (
          <Text size="sm" c="dimmed">No key has used 80% of its monthly budget.</Text>
        )}
      </Card>
    </>
  );
}
