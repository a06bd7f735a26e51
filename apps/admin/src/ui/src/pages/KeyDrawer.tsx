import { Alert, Badge, Button, Drawer, Group, NumberInput, Stack, Table, Tabs, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { KeyDto, RotatedKeyDto } from '../api/schema.gen';
import { can } from '../auth/permissions';
import { useApi, useSession } from '../auth/session';
import { ConfirmButton } from '../components/ConfirmButton';
import { PolicyEditor } from '../components/PolicyEditor';
import { QueryState } from '../components/QueryState';
import { SecretReveal } from '../components/SecretReveal';
import { fmtInt, fmtTime, fmtUsd } from '../lib/format';
import { policyFormFrom, policyFormToBody, validatePolicyForm, type PolicyFormErrors, type PolicyFormValues } from '../lib/policy-form';
import { useTeamOptions } from '../lib/use-teams';
import { ServerError } from './KeysPage';

/** One key: its policy (editable by writers), rotation, revocation and its usage. */
export function KeyDrawer({ keyId, onClose }: { keyId: string; onClose: () => void }) {
  const api = useApi();
  const { session } = useSession();
  const key = useQuery({ queryKey: ['key', keyId], queryFn: () => api.call('GET /admin/v1/keys/{id}', { params: { id: keyId } }) });
  return (
    <Drawer opened onClose={onClose} position="right" size="xl" title={key.data ? `Key: ${key.data.name}` : 'Key'}>
      <QueryState isLoading={key.isLoading} error={key.error} isEmpty={!key.data} empty="Key not found.">
        {key.data && (
          <Tabs defaultValue="policy">
            <Tabs.List mb="md">
              <Tabs.Tab value="policy">Policy</Tabs.Tab>
              {can(session?.role, 'usage.read') && <Tabs.Tab value="usage">Usage</Tabs.Tab>}
              {can(session?.role, 'keys.write') && key.data.status === 'active' && <Tabs.Tab value="lifecycle">Rotate / revoke</Tabs.Tab>}
            </Tabs.List>
            <Tabs.Panel value="policy">
              <KeyPolicy k={key.data} editable={can(session?.role, 'keys.write') && key.data.status !== 'revoked'} />
            </Tabs.Panel>
            <Tabs.Panel value="usage">
              <KeyUsage keyId={keyId} />
            </Tabs.Panel>
            <Tabs.Panel value="lifecycle">
              <KeyLifecycle k={key.data} />
            </Tabs.Panel>
          </Tabs>
        )}
      </QueryState>
    </Drawer>
  );
}

function KeyPolicy({ k, editable }: { k: KeyDto; editable: boolean }) {
  const api = useApi();
  const qc = useQueryClient();
  const teams = useTeamOptions();
  const [values, setValues] = useState<PolicyFormValues>(() => policyFormFrom(k));
  const [errors, setErrors] = useState<PolicyFormErrors>({});
  useEffect(() => setValues(policyFormFrom(k)), [k]);
  const save = useMutation({
    mutationFn: () => api.call('PATCH /admin/v1/keys/{id}', { params: { id: k.id }, body: policyFormToBody(values) }),
    onSuccess: (updated) => {
      qc.setQueryData(['key', k.id], updated);
      void qc.invalidateQueries({ queryKey: ['keys'] });
    },
  });
  return (
    <Stack>
      <Group gap="xs">
        <Badge variant="light">{k.status}</Badge>
        <Text size="sm" c="dimmed">
          <code>{k.keyPrefix}…</code> · created {fmtTime(k.createdAt)} · last used {fmtTime(k.lastUsedAt)}
        </Text>
      </Group>
      {k.previousKeyExpiresAt && <Alert color="yellow">The previous secret keeps working until {fmtTime(k.previousKeyExpiresAt)}.</Alert>}
      <PolicyEditor values={values} errors={errors} onChange={setValues} teams={teams} withExpiry disabled={!editable} />
      {save.error && <ServerError error={save.error} />}
      {save.isSuccess && !save.isPending && <Alert color="green">Saved; every data plane replica applies it within a second.</Alert>}
      {editable && (
        <Group justify="flex-end">
          <Button
            loading={save.isPending}
            onClick={() => {
              const e = validatePolicyForm(values, { requireName: true });
              setErrors(e);
              if (!Object.keys(e).length) save.mutate();
            }}
          >
            Save policy
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function KeyLifecycle({ k }: { k: KeyDto }) {
  const api = useApi();
  const qc = useQueryClient();
  const [grace, setGrace] = useState<number | string>(3600);
  const [rotated, setRotated] = useState<RotatedKeyDto | null>(null);
  // One idempotency key per dialog: a double click or a retry returns the same secret instead of rotating twice.
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['keys'] });
    void qc.invalidateQueries({ queryKey: ['key', k.id] });
  };
  const rotate = useMutation({
    mutationFn: () => api.call('POST /admin/v1/keys/{id}/rotate', { params: { id: k.id }, body: { gracePeriodSeconds: Number(grace) }, headers: { 'Idempotency-Key': idempotencyKey } }),
    onSuccess: (r) => setRotated(r),
  });
  const revoke = useMutation({ mutationFn: () => api.call('POST /admin/v1/keys/{id}/revoke', { params: { id: k.id } }), onSuccess: refresh });
  if (rotated) return <SecretReveal secret={rotated.key} onDone={() => { setRotated(null); refresh(); }} />;
  const graceOk = Number.isInteger(Number(grace)) && Number(grace) >= 0 && Number(grace) <= 2592000;
  return (
    <Stack>
      <Text fw={600}>Rotate</Text>
      <Text size="sm">A new secret under the same key id; the old secret keeps working for the grace period.</Text>
      <Group align="flex-end">
        <NumberInput label="Grace period (seconds)" min={0} max={2592000} value={grace} onChange={setGrace} error={graceOk ? undefined : '0 to 2,592,000 seconds (30 days)'} w={240} />
        <Button onClick={() => rotate.mutate()} loading={rotate.isPending} disabled={!graceOk}>
          Rotate key
        </Button>
      </Group>
      {rotate.error && <ServerError error={rotate.error} />}
      <Text fw={600} mt="lg">
        Revoke
      </Text>
      <Text size="sm">Every request with this key is refused within a second, on every replica. This cannot be undone.</Text>
      <Group>
        <ConfirmButton color="red" label="Revoke key" title="Revoke this key?" message={`"${k.name}" (${k.keyPrefix}…) stops working at once. This cannot be undone.`} confirmLabel="Revoke" loading={revoke.isPending} onConfirm={() => revoke.mutate()} />
      </Group>
      {revoke.error && <ServerError error={revoke.error} />}
    </Stack>
  );
}

function KeyUsage({ keyId }: { keyId: string }) {
  const api = useApi();
  const usage = useQuery({ queryKey: ['usage', 'key', keyId], queryFn: () => api.call('GET /admin/v1/usage', { query: { keyId, groupBy: 'day' } }) });
  return (
    <QueryState isLoading={usage.isLoading} error={usage.error} isEmpty={!usage.data?.rows.length} empty="No usage in the last 30 days.">
      <Text size="sm" mb="xs">
        Last 30 days: {fmtInt(usage.data?.totals.requests)} requests, {fmtInt(usage.data?.totals.totalTokens)} tokens, {fmtUsd(usage.data?.totals.costUsd)}
      </Text>
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Day</Table.Th>
            <Table.Th>Requests</Table.Th>
            <Table.Th>Errors</Table.Th>
            <Table.Th>Tokens</Table.Th>
            <Table.Th>Cost</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {usage.data?.rows.map((r) => (
            <Table.Tr key={r.day}>
              <Table.Td>{r.day}</Table.Td>
              <Table.Td>{fmtInt(r.requests)}</Table.Td>
              <Table.Td>{fmtInt(r.errors)}</Table.Td>
              <Table.Td>{fmtInt(r.totalTokens)}</Table.Td>
              <Table.Td>{fmtUsd(r.costUsd)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </QueryState>
  );
}
