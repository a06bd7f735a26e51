import { Badge, Button, Group, Table, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { can } from '../auth/permissions';
import { useApi, useSession } from '../auth/session';
import { ConfirmButton } from '../components/ConfirmButton';
import { QueryState } from '../components/QueryState';
import { ServerError } from './KeysPage';

const NAME = /^\S{1,256}$/;

export function AliasesPage() {
  const api = useApi();
  const qc = useQueryClient();
  const { session } = useSession();
  const writer = can(session?.role, 'aliases.write');
  const aliases = useQuery({ queryKey: ['aliases'], queryFn: () => api.call('GET /admin/v1/aliases', {}) });
  const [alias, setAlias] = useState('');
  const [target, setTarget] = useState('');
  const [touched, setTouched] = useState(false);
  const refresh = () => qc.invalidateQueries({ queryKey: ['aliases'] });
  const put = useMutation({
    mutationFn: () => api.call('PUT /admin/v1/aliases/{alias}', { params: { alias }, body: { target } }),
    onSuccess: () => {
      setAlias('');
      setTarget('');
      setTouched(false);
      void refresh();
    },
  });
  const del = useMutation({ mutationFn: (a: string) => api.call('DELETE /admin/v1/aliases/{alias}', { params: { alias: a } }), onSuccess: refresh });
  const aliasError = touched && !NAME.test(alias) ? '1 to 256 characters, no spaces' : undefined;
  const targetError = touched && !target.trim() ? 'A target model is required' : undefined;
  return (
    <>
      <Title order={2} mb="md">
        Aliases
      </Title>
      {writer && (
        <Group align="flex-start" mb="md">
          <TextInput label="Alias" placeholder="fast" value={alias} error={aliasError} onChange={(e) => setAlias(e.currentTarget.value)} />
          <TextInput label="Target model" placeholder="gpt-4o-mini" value={target} error={targetError} onChange={(e) => setTarget(e.currentTarget.value)} />
          <Button
            mt={25}
            loading={put.isPending}
            onClick={() => {
              setTouched(true);
              if (NAME.test(alias) && target.trim()) put.mutate();
            }}
          >
            Save alias
          </Button>
        </Group>
      )}
      {(put.error ?? del.error) && <ServerError error={put.error ?? del.error} />}
      <QueryState isLoading={aliases.isLoading} error={aliases.error} isEmpty={!aliases.data?.length} empty="No aliases.">
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Alias</Table.Th>
              <Table.Th>Target</Table.Th>
              <Table.Th>Source</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {aliases.data?.map((a) => (
              <Table.Tr key={a.alias}>
                <Table.Td>{a.alias}</Table.Td>
                <Table.Td>{a.target}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={a.source === 'config' ? 'gray' : 'blue'}>
                    {a.source}
                  </Badge>
                </Table.Td>
                <Table.Td>{writer && a.source === 'admin' && <ConfirmButton size="xs" variant="subtle" color="red" label="Delete" title="Delete alias?" message={`Requests for "${a.alias}" will no longer resolve to ${a.target}.`} confirmLabel="Delete" onConfirm={() => del.mutate(a.alias)} />}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </QueryState>
    </>
  );
}
