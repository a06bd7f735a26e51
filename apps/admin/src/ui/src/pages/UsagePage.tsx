import { Alert, Button, Checkbox, Group, SegmentedControl, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useApi } from '../auth/session';
import { QueryState } from '../components/QueryState';
import { StackedChart } from '../components/StackedChart';
import { downloadText } from '../lib/csv';
import { fmtInt, fmtUsd, isoDay } from '../lib/format';
import { DIMENSIONS, reportColumns, stackRows, usageCsv, type UsageDimension } from '../lib/usage-report';

type Metric = 'costUsd' | 'totalTokens' | 'requests';

/** Inclusive from-day and to-day (UTC) → the API's [from, to) instants. */
export function dayRange(fromDay: string, toDay: string): { from: string; to: string } | null {
  const from = new Date(`${fromDay}T00:00:00.000Z`);
  const to = new Date(`${toDay}T00:00:00.000Z`);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || to < from) return null;
  to.setUTCDate(to.getUTCDate() + 1);
  return { from: from.toISOString(), to: to.toISOString() };
}

export function UsagePage() {
  const api = useApi();
  const today = new Date();
  const [fromDay, setFromDay] = useState(isoDay(new Date(today.getTime() - 29 * 86_400_000)));
  const [toDay, setToDay] = useState(isoDay(today));
  const [dims, setDims] = useState<UsageDimension[]>(['day', 'model']);
  const [metric, setMetric] = useState<Metric>('costUsd');
  const range = dayRange(fromDay, toDay);
  const groupBy = DIMENSIONS.filter((d) => dims.includes(d)).join(',');
  const report = useQuery({
    queryKey: ['usage', range?.from, range?.to, groupBy],
    queryFn: () => api.call('GET /admin/v1/usage', { query: { from: range?.from, to: range?.to, groupBy: groupBy || undefined } }),
    enabled: !!range,
    placeholderData: keepPreviousData,
  });
  const dimSet = useMemo(() => new Set(report.data?.groupBy as UsageDimension[] | undefined), [report.data]);
  const columns = reportColumns(dimSet);
  const stacked = useMemo(() => (report.data ? stackRows(report.data.rows, dimSet, metric) : { points: [], series: [] }), [report.data, dimSet, metric]);
  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={2}>Usage</Title>
        <Button variant="light" disabled={!report.data?.rows.length} data-testid="export-csv" onClick={() => report.data && downloadText(`usage-${fromDay}-${toDay}.csv`, usageCsv(report.data.rows, dimSet))}>
          Export CSV
        </Button>
      </Group>
      <Group mb="md" align="flex-end">
        <TextInput type="date" label="From (UTC)" value={fromDay} onChange={(e) => setFromDay(e.currentTarget.value)} error={!range ? 'From must not be after to' : undefined} />
        <TextInput type="date" label="To (UTC, inclusive)" value={toDay} onChange={(e) => setToDay(e.currentTarget.value)} />
        <Checkbox.Group label="Group by" value={dims} onChange={(v) => setDims(v as UsageDimension[])}>
          <Group mt={6}>
            {DIMENSIONS.map((d) => (
              <Checkbox key={d} value={d} label={d} />
            ))}
          </Group>
        </Checkbox.Group>
        <SegmentedControl value={metric} onChange={(v) => setMetric(v as Metric)} data={[{ value: 'costUsd', label: 'Spend' }, { value: 'totalTokens', label: 'Tokens' }, { value: 'requests', label: 'Requests' }]} />
      </Group>
      {report.data && report.data.unpricedModels.length > 0 && <Alert color="yellow" mb="md">No price configured for: {report.data.unpricedModels.join(', ')} (their cost counts as 0).</Alert>}
      <QueryState isLoading={report.isLoading} error={report.error} isEmpty={!report.data?.rows.length} empty="No usage in this range.">
        {report.data && (
          <>
            <Text size="sm" mb="xs" data-testid="usage-totals">
              {fmtInt(report.data.totals.requests)} requests · {fmtInt(report.data.totals.errors)} errors · {fmtInt(report.data.totals.totalTokens)} tokens · {fmtUsd(report.data.totals.costUsd)}
            </Text>
            <StackedChart data={stacked} />
            <Table striped mt="md" data-testid="usage-table">
              <Table.Thead>
                <Table.Tr>
                  {columns.map((c) => (
                    <Table.Th key={c}>{c}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {report.data.rows.map((r, i) => (
                  <Table.Tr key={i}>
                    {columns.map((c) => (
                      <Table.Td key={c}>{c === 'costUsd' ? fmtUsd(r.costUsd) : typeof r[c] === 'number' ? fmtInt(r[c] as number) : (r[c] ?? '—')}</Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </>
        )}
      </QueryState>
    </>
  );
}
