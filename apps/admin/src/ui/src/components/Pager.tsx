import { Button, Group, Text } from '@mantine/core';

export function Pager(props: { page: number; hasNext: boolean; onPrev: () => void; onNext: () => void; busy?: boolean }) {
  return (
    <Group justify="flex-end" gap="xs" mt="sm">
      <Text size="sm" c="dimmed">
        Page {props.page}
      </Text>
      <Button size="xs" variant="default" disabled={props.page <= 1 || props.busy} onClick={props.onPrev}>
        Previous
      </Button>
      <Button size="xs" variant="default" disabled={!props.hasNext || props.busy} onClick={props.onNext} data-testid="next-page">
        Next
      </Button>
    </Group>
  );
}
