import { Button, Card, Center, PasswordInput, Stack, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { ApiClient } from '../api/client';
import { useSession } from '../auth/session';
import { ErrorAlert } from '../components/QueryState';

export function SignInPage() {
  const { signIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [masterKey, setMasterKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [touched, setTouched] = useState(false);

  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const loginUser = () => {
    setTouched(true);
    if (!/^\S+@\S+$/.test(email) || !password) return;
    void run(async () => {
      const res = await new ApiClient(() => null).call('POST /admin/v1/auth/login', { body: { email, password } });
      signIn({ token: res.token, role: res.role, label: email });
    });
  };
  const loginMaster = () => {
    setTouched(true);
    if (!masterKey.trim()) return;
    void run(async () => {
      // There is no "who am I" route: a cheap authenticated read proves the key before we keep it.
      await new ApiClient(() => masterKey.trim()).call('GET /admin/v1/keys', { query: { limit: 1 } });
      signIn({ token: masterKey.trim(), role: 'master', label: 'master key' });
    });
  };
  return (
    <Center h="100vh" bg="gray.0">
      <Card withBorder shadow="sm" w={420} p="lg">
        <Title order={3} mb={4}>
          llmp console
        </Title>
        <Text size="sm" c="dimmed" mb="md">
          Sign in to manage keys, policy and spend.
        </Text>
        <Tabs defaultValue="user">
          <Tabs.List mb="md">
            <Tabs.Tab value="user">Admin user</Tabs.Tab>
            <Tabs.Tab value="master">Master key</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="user">
            <form onSubmit={(e) => { e.preventDefault(); loginUser(); }}>
              <Stack>
                <TextInput label="Email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={touched && !/^\S+@\S+$/.test(email) ? 'Enter your email' : undefined} />
                <PasswordInput label="Password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={touched && !password ? 'Enter your password' : undefined} />
                <Button type="submit" loading={busy}>Sign in</Button>
              </Stack>
            </form>
          </Tabs.Panel>
          <Tabs.Panel value="master">
            <form onSubmit={(e) => { e.preventDefault(); loginMaster(); }}>
              <Stack>
                <PasswordInput label="Master key" description="For first setup: create admin users, then sign in as one." value={masterKey} onChange={(e) => setMasterKey(e.currentTarget.value)} data-testid="master-key" />
                <Button type="submit" loading={busy} data-testid="master-sign-in">Sign in with master key</Button>
              </Stack>
            </form>
          </Tabs.Panel>
        </Tabs>
        {error !== null && (
          <Stack mt="md">
            <ErrorAlert error={error} title="Sign-in failed" />
          </Stack>
        )}
      </Card>
    </Center>
  );
}
