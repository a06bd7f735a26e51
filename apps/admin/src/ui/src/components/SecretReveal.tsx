import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';

/** The one time a key's secret is visible: a warning, the secret, and a copy button. */
export function SecretReveal({ secret, onDone }: { secret: string; onDone: () => void }) {
  return (
    <Stack>
      <Alert color="orange" title="Copy this secret now">
        This is the only time the secret is shown. llmp stores only its hash and cannot show it again; if it is lost,
        rotate the key.
      </Alert>
      <Code block data-testid="secret">
        {secret}
      </Code>
      <Group justify="space-between">
        <CopyButton value={secret}>
          {({ copied, copy }) => (
            <Button variant="light" color={copied ? 'teal' : 'blue'} onClick={copy}>
              {copied ? 'Copied' : 'Copy secret'}
            </Button>
          )}
        </CopyButton>
        <Button onClick={onDone}>I have stored it</Button>
      </Group>
      <Text size="xs" c="dimmed">
        Use it as <Code>Authorization: Bearer …</Code> against the data plane's /v1 endpoints.
      </Text>
    </Stack>
  );
}
