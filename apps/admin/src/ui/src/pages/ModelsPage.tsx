import { Badge, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../auth/session';
import { QueryState } from '../components/QueryState';
import { fmtTime, fmtUsd } from '../lib/format';

export function ModelsPage() {
  const api = useApi();
  const models = useQuery({ queryKey: ['models'], queryFn: () => api.call('GET /admin/v1/models', {}) });
  const prices = useQuery({ queryKey: ['prices'], queryFn: () => api.call('GET /admin/v1/prices', {}) });
  // Cooldowns change within seconds; poll while the page is open.
  const cooldowns = useQuery({ queryKey: ['cooldowns'], queryFn: () => api.call('GET /admin/v1/models/cooldowns', {}), refetchInterval: 5000 });
  const price = (m: string) => prices.data?.find((p) => p.model === m);
  const cooling = (provider: string, model: string) => cooldowns.data?.find((c) => c.provider === provider && c.model === model);
  return (
    <>
      <Title order={2} mb="md">
        Models
      </Title>
      <QueryState isLoading={models.isLoading} error={models.error ?? prices.error} isEmpty={!models.data?.length} empty="No models are configured.">
        <Table striped data-testid="models-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Model</Table.Th>
              <Table.Th>Targets (in order)</Table.Th>
              <Table.Th>Input / 1M</Table.Th>
              <Table.Th>Output / 1M</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {models.data?.map((m) => (
              <Table.Tr key={m.name}>
                <Table.Td fw={600}>{m.name}</Table.Td>
                <Table.Td>
                  <Stack gap={2}>
                    {m.targets.map((t) => {
                      const c = cooling(t.provider, t.model);
                      return (
                        <Group gap="xs" key={`${t.provider}/${t.model}`}>
                          <Text size="sm">
                            {t.provider}/{t.model}
                          </Text>
                          <Text size="xs" c="dimmed">
                            priority {t.priority} · weight {t.weight}
                          </Text>
                          {c ? <Badge color="orange">cooling down until {fmtTime(c.until)}</Badge> : <Badge color="green" variant="light">healthy</Badge>}
                        </Group>
                      );
                    })}
                  </Stack>
                </Table.Td>
                <Table.Td>{fmtUsd(price(m.name)?.inputPerMillion ?? m.pricing?.input)}</Table.Td>
                <Table.Td>
                  {fmtUsd(price(m.name)?.outputPerMillion ?? m.pricing?.output)} {price(m.name)?.source === 'override' && <Badge size="xs">override</Badge>}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </QueryState>
    </>
  );
}
