import { Button, Group, Modal, Table, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { TeamDto } from '../api/schema.gen';
import { can } from '../auth/permissions';
import { useApi, useSession } from '../auth/session';
import { ConfirmButton } from '../components/ConfirmButton';
import { PolicyEditor } from '../components/PolicyEditor';
import { QueryState } from '../components/QueryState';
import { fmtInt, fmtUsd } from '../lib/format';
import { EMPTY_POLICY_FORM, policyFormFrom, policyFormToBody, validatePolicyForm, type PolicyFormErrors } from '../lib/policy-form';
import { useTeams } from '../lib/use-teams';
import { ServerError } from './KeysPage';

export function TeamsPage() {
  const api = useApi();
  const qc = useQueryClient();
  const { session } = useSession();
  const teams = useTeams();
  const [editing, setEditing] = useState<TeamDto | 'new' | null>(null);
  const writer = can(session?.role, 'teams.write');
  const remove = useMutation({ mutationFn: (id: string) => api.call('DELETE /admin/v1/teams/{id}', { params: { id } }), onSuccess: () => qc.invalidateQueries({ queryKey: ['teams'] }) });
  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={2}>Teams</Title>
        {writer && <Button onClick={() => setEditing('new')}>Create team</Button>}
      </Group>
      {remove.error && <ServerError error={remove.error} />}
      <QueryState isLoading={teams.isLoading} error={teams.error} isEmpty={!teams.data?.length} empty="No teams yet.">
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Allowed models</Table.Th>
              <Table.Th>RPM</Table.Th>
              <Table.Th>TPM</Table.Th>
              <Table.Th>Budget</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {teams.data?.map((t) => (
              <Table.Tr key={t.id}>
                <Table.Td>{t.name}</Table.Td>
                <Table.Td>{t.allowedModels.length ? t.allowedModels.join(', ') : 'any'}</Table.Td>
                <Table.Td>{fmtInt(t.rpm)}</Table.Td>
                <Table.Td>{fmtInt(t.tpm)}</Table.Td>
                <Table.Td>{t.budgetUsd === null ? '—' : `${fmtUsd(t.budgetUsd)} / ${t.budgetPeriod}`}</Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end">
                    <Button size="xs" variant="light" onClick={() => setEditing(t)}>
                      {writer ? 'Edit' : 'View'}
                    </Button>
                    {writer && <ConfirmButton size="xs" color="red" variant="subtle" label="Delete" title="Delete team?" message={`Delete "${t.name}"? Keys in it lose the team's policy.`} confirmLabel="Delete" onConfirm={() => remove.mutate(t.id)} />}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </QueryState>
      {editing && <TeamModal team={editing === 'new' ? null : editing} readOnly={!writer} onClose={() => setEditing(null)} />}
    </>
  );
}

function TeamModal({ team, readOnly, onClose }: { team: TeamDto | null; readOnly: boolean; onClose: () => void }) {
  const api = useApi();
  const qc = useQueryClient();
  const [values, setValues] = useState(team ? policyFormFrom(team) : EMPTY_POLICY_FORM);
  const [errors, setErrors] = useState<PolicyFormErrors>({});
  const save = useMutation({
    mutationFn: () => {
      const { teamId: _teamId, expiresAt: _expiresAt, ...body } = policyFormToBody(values); // teams have neither
      return team ? api.call('PATCH /admin/v1/teams/{id}', { params: { id: team.id }, body }) : api.call('POST /admin/v1/teams', { body });
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['teams'] });
      onClose();
    },
  });
  return (
    <Modal opened onClose={onClose} title={team ? `Team: ${team.name}` : 'Create team'} size="lg">
      <PolicyEditor values={values} errors={errors} onChange={setValues} disabled={readOnly} />
      {save.error && <ServerError error={save.error} />}
      {!readOnly && (
        <Group justify="flex-end" mt="md">
          <Button
            loading={save.isPending}
            onClick={() => {
              const e = validatePolicyForm(values, { requireName: true });
              setErrors(e);
              if (!Object.keys(e).length) save.mutate();
            }}
          >
            Save
          </Button>
        </Group>
      )}
    </Modal>
  );
}
