import { Badge, Button, Group, Modal, Select, Table, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../api/client';
import type { CreatedKeyDto, KeyDto } from '../api/schema.gen';
import { can } from '../auth/permissions';
import { useApi, useSession } from '../auth/session';
import { ErrorAlert, QueryState } from '../components/QueryState';
import { Pager } from '../components/Pager';
import { PolicyEditor } from '../components/PolicyEditor';
import { SecretReveal } from '../components/SecretReveal';
import { fmtTime } from '../lib/format';
import { EMPTY_POLICY_FORM, policyFormToBody, validatePolicyForm, type PolicyFormErrors } from '../lib/policy-form';
import { useCursorPages } from '../lib/use-cursor-pages';
import { useTeamOptions } from '../lib/use-teams';
import { KeyDrawer } from './KeyDrawer';

const STATUS_COLOR: Record<KeyDto['status'], string> = { active: 'green', revoked: 'red', expired: 'gray' };
const PAGE_SIZE = 25;

export function KeysPage() {
  const api = useApi();
  const { session } = useSession();
  const teams = useTeamOptions();
  const [q, setQ] = useState('');
  const [debouncedQ] = useDebouncedValue(q, 250);
  const [teamId, setTeamId] = useState<string | null>(null);
  const [status, setStatus] = useState<KeyDto['status'] | null>(null);
  const pages = useCursorPages();
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);

  const keys = useQuery({
    queryKey: ['keys', debouncedQ, teamId, status, pages.cursor],
    queryFn: () => api.call('GET /admin/v1/keys', { query: { q: debouncedQ || undefined, teamId: teamId ?? undefined, status: status ?? undefined, limit: PAGE_SIZE, cursor: pages.cursor } }),
    placeholderData: keepPreviousData,
  });
  const teamName = (id: string | null) => (id ? (teams.find((t) => t.value === id)?.label ?? id) : '—');
  const filter = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    pages.reset();
  };

  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={2}>Keys</Title>
        {can(session?.role, 'keys.write') && <Button onClick={() => setCreating(true)}>Create key</Button>}
      </Group>
      <Group mb="md">
        <TextInput placeholder="Search by name" value={q} onChange={(e) => filter(setQ)(e.currentTarget.value)} w={260} aria-label="Search keys" />
        <Select placeholder="All teams" clearable data={teams} value={teamId} onChange={filter(setTeamId)} w={200} aria-label="Team filter" />
        <Select placeholder="Any status" clearable data={['active', 'revoked', 'expired']} value={status} onChange={(v) => filter(setStatus)(v as KeyDto['status'] | null)} w={160} aria-label="Status filter" />
      </Group>
      <QueryState isLoading={keys.isLoading} error={keys.error} isEmpty={!keys.data?.data.length} empty="No keys match.">
        <Table highlightOnHover striped data-testid="keys-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Prefix</Table.Th>
              <Table.Th>Team</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Models</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th>Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {keys.data?.data.map((k) => (
              <Table.Tr key={k.id} style={{ cursor: 'pointer' }} onClick={() => setSelected(k.id)} data-key-id={k.id}>
                <Table.Td>{k.name}</Table.Td>
                <Table.Td>
                  <code>{k.keyPrefix}…</code>
                </Table.Td>
                <Table.Td>{teamName(k.teamId)}</Table.Td>
                <Table.Td>
                  <Badge color={STATUS_COLOR[k.status]} variant="light">
                    {k.status}
                  </Badge>
                </Table.Td>
                <Table.Td>{k.allowedModels.length ? k.allowedModels.join(', ') : 'any'}</Table.Td>
                <Table.Td>{fmtTime(k.lastUsedAt)}</Table.Td>
                <Table.Td>{fmtTime(k.createdAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </QueryState>
      <Pager page={pages.page} hasNext={!!keys.data?.nextCursor} busy={keys.isFetching} onPrev={pages.prev} onNext={() => keys.data?.nextCursor && pages.next(keys.data.nextCursor)} />
      {creating && <CreateKeyModal onClose={() => setCreating(false)} teams={teams} />}
      {selected && <KeyDrawer keyId={selected} onClose={() => setSelected(null)} />}
    </>
  );
}

function CreateKeyModal({ onClose, teams }: { onClose: () => void; teams: { value: string; label: string }[] }) {
  const api = useApi();
  const qc = useQueryClient();
  const [values, setValues] = useState(EMPTY_POLICY_FORM);
  const [errors, setErrors] = useState<PolicyFormErrors>({});
  const [created, setCreated] = useState<CreatedKeyDto | null>(null);
  const create = useMutation({
    mutationFn: () => api.call('POST /admin/v1/keys', { body: policyFormToBody(values) }),
    onSuccess: (k) => {
      setCreated(k);
      void qc.invalidateQueries({ queryKey: ['keys'] });
    },
  });
  const submit = () => {
    const e = validatePolicyForm(values, { requireName: true });
    setErrors(e);
    if (!Object.keys(e).length) create.mutate();
  };
  return (
    <Modal opened onClose={created ? () => {} : onClose} title={created ? `Key "${created.name}" created` : 'Create key'} size="lg" closeOnClickOutside={!created}>
      {created ? (
        <SecretReveal secret={created.key} onDone={onClose} />
      ) : (
        <>
          <PolicyEditor values={values} errors={errors} onChange={setValues} teams={teams} withExpiry />
          {create.error && <ServerError error={create.error} />}
          <Group justify="flex-end" mt="md">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button onClick={submit} loading={create.isPending}>
              Create
            </Button>
          </Group>
        </>
      )}
    </Modal>
  );
}

/** The server's own message (and which field it blames), shown under a form. */
export function ServerError({ error }: { error: unknown }) {
  const field = error instanceof ApiError && typeof error.details?.param === 'string' ? ` (${error.details.param})` : '';
  return (
    <div style={{ marginTop: 12 }}>
      <ErrorAlert error={error} title={`The server refused this${field}`} />
    </div>
  );
}
