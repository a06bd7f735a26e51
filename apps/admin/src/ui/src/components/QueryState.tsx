import { Alert, Center, Loader, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** One place for the loading, error and empty states every list needs. */
export function QueryState(props: { isLoading: boolean; error: unknown; isEmpty: boolean; empty: string; children: ReactNode }) {
  if (props.isLoading)
    return (
      <Center py="xl" data-testid="loading">
        <Loader size="sm" />
      </Center>
    );
  if (props.error) return <ErrorAlert error={props.error} />;
  if (props.isEmpty)
    return (
      <Text c="dimmed" ta="center" py="xl" data-testid="empty">
        {props.empty}
      </Text>
    );
  return <>{props.children}</>;
}

export function ErrorAlert({ error, title = 'Request failed' }: { error: unknown; title?: string }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <Alert color="red" title={title} data-testid="error">
      {message}
    </Alert>
  );
}
