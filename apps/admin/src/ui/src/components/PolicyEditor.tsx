import { Select, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { MAX_CHOICES_DEFAULT, type PolicyFormErrors, type PolicyFormValues } from '../lib/policy-form';

const PERIODS = [
  { value: 'day', label: 'per day (UTC)' },
  { value: 'week', label: 'per week' },
  { value: 'month', label: 'per calendar month' },
  { value: 'total', label: 'in total' },
];

/** The policy fields keys and teams share. Controlled: the parent owns values and validation. */
export function PolicyEditor(props: {
  values: PolicyFormValues;
  errors: PolicyFormErrors;
  onChange: (v: PolicyFormValues) => void;
  teams?: { value: string; label: string }[];
  withExpiry?: boolean;
  disabled?: boolean;
}) {
  const { values: v, errors: e, onChange, disabled } = props;
  const set = <K extends keyof PolicyFormValues>(k: K, value: PolicyFormValues[K]) => onChange({ ...v, [k]: value });
  return (
    <Stack gap="sm">
      <TextInput label="Name" required value={v.name} error={e.name} disabled={disabled} onChange={(x) => set('name', x.currentTarget.value)} />
      {props.teams && (
        <Select label="Team" placeholder="No team" clearable data={props.teams} value={v.teamId || null} disabled={disabled} onChange={(x) => set('teamId', x ?? '')} />
      )}
      <Textarea
        label="Allowed models"
        description={
          <Text span size="xs">
            One per line. Exact names or globs: <code>gpt-4o*</code> matches gpt-4o and gpt-4o-mini, <code>claude-*</code> every Claude model,{' '}
            <code>*</code> anything. Empty = no restriction at this level (a key can only narrow its team).
          </Text>
        }
        autosize
        minRows={2}
        value={v.allowedModels}
        error={e.allowedModels}
        disabled={disabled}
        onChange={(x) => set('allowedModels', x.currentTarget.value)}
      />
      <SimpleGrid cols={2}>
        <Textarea label="Model aliases" description="alias = target, one per line" autosize minRows={2} value={v.modelAliases} error={e.modelAliases} disabled={disabled} onChange={(x) => set('modelAliases', x.currentTarget.value)} />
        <Textarea label="Per-model max tokens" description="model = tokens; * for any other model" autosize minRows={2} value={v.perModelMaxTokens} error={e.perModelMaxTokens} disabled={disabled} onChange={(x) => set('perModelMaxTokens', x.currentTarget.value)} />
      </SimpleGrid>
      <SimpleGrid cols={4}>
        <TextInput label="RPM" placeholder="unlimited" value={v.rpm} error={e.rpm} disabled={disabled} onChange={(x) => set('rpm', x.currentTarget.value)} />
        <TextInput label="TPM" placeholder="unlimited" value={v.tpm} error={e.tpm} disabled={disabled} onChange={(x) => set('tpm', x.currentTarget.value)} />
        <TextInput label="Parallel requests" placeholder="unlimited" value={v.maxParallel} error={e.maxParallel} disabled={disabled} onChange={(x) => set('maxParallel', x.currentTarget.value)} />
        {/* Description below the input keeps it in line with its neighbours. Keys (the only editor with an expiry) fall back to their team's value; the smaller of key and team applies. */}
        <TextInput
          label="Max choices"
          description="n / best_of / candidateCount, 1–128"
          inputWrapperOrder={['label', 'input', 'description', 'error']}
          placeholder={props.withExpiry ? `team's, else ${MAX_CHOICES_DEFAULT}` : `default ${MAX_CHOICES_DEFAULT}`}
          value={v.maxChoices}
          error={e.maxChoices}
          disabled={disabled}
          onChange={(x) => set('maxChoices', x.currentTarget.value)}
        />
      </SimpleGrid>
      <SimpleGrid cols={props.withExpiry ? 3 : 2}>
        <TextInput label="Budget (USD)" placeholder="none" value={v.budgetUsd} error={e.budgetUsd} disabled={disabled} onChange={(x) => set('budgetUsd', x.currentTarget.value)} />
        <Select label="Budget period" placeholder="—" clearable data={PERIODS} value={v.budgetPeriod || null} error={e.budgetPeriod} disabled={disabled} onChange={(x) => set('budgetPeriod', (x ?? '') as PolicyFormValues['budgetPeriod'])} />
        {props.withExpiry && (
          <TextInput type="datetime-local" label="Expires" value={v.expiresAt} error={e.expiresAt} disabled={disabled} onChange={(x) => set('expiresAt', x.currentTarget.value)} />
        )}
      </SimpleGrid>
    </Stack>
  );
}
