import { AppShell, Badge, Button, Group, NavLink, Text } from '@mantine/core';
import type { ComponentType } from 'react';
import { can, type Action } from './auth/permissions';
import { useSession } from './auth/session';
import { navigate, usePath } from './lib/router';
import { AliasesPage } from './pages/AliasesPage';
import { AuditPage } from './pages/AuditPage';
import { ExplainPage } from './pages/ExplainPage';
import { KeysPage } from './pages/KeysPage';
import { ModelsPage } from './pages/ModelsPage';
import { OverviewPage } from './pages/OverviewPage';
import { PlaygroundPage } from './pages/PlaygroundPage';
import { SignInPage } from './pages/SignInPage';
import { TeamsPage } from './pages/TeamsPage';
import { UsagePage } from './pages/UsagePage';

interface Screen {
  path: string;
  label: string;
  page: ComponentType;
  /** Hidden from roles that may not take this action (the server refuses them anyway). */
  needs?: Action;
}

export const SCREENS: Screen[] = [
  { path: '/', label: 'Overview', page: OverviewPage },
  { path: '/keys', label: 'Keys', page: KeysPage },
  { path: '/teams', label: 'Teams', page: TeamsPage },
  { path: '/aliases', label: 'Aliases', page: AliasesPage },
  { path: '/models', label: 'Models', page: ModelsPage },
  { path: '/explain', label: 'Policy explain', page: ExplainPage, needs: 'explain.use' },
  { path: '/usage', label: 'Usage', page: UsagePage, needs: 'usage.read' },
  { path: '/audit', label: 'Audit', page: AuditPage, needs: 'audit.read' },
  { path: '/playground', label: 'Playground', page: PlaygroundPage, needs: 'playground.use' },
];

export function App() {
  const { session, signOut } = useSession();
  const path = usePath();
  if (!session) return <SignInPage />;
  const visible = SCREENS.filter((s) => !s.needs || can(session.role, s.needs));
  const screen = visible.find((s) => s.path === path) ?? visible[0]!;
  const Page = screen.page;
  return (
    <AppShell header={{ height: 52 }} navbar={{ width: 210, breakpoint: 0 }} padding="lg">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Text fw={700}>llmp console</Text>
          <Group gap="xs">
            <Text size="sm">{session.label}</Text>
            <Badge variant="light" data-testid="role">{session.role}</Badge>
            <Button size="xs" variant="subtle" onClick={signOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        {visible.map((s) => (
          <NavLink
            key={s.path}
            href={s.path}
            label={s.label}
            active={s.path === screen.path}
            onClick={(e) => {
              e.preventDefault();
              navigate(s.path);
            }}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Page key={screen.path} />
      </AppShell.Main>
    </AppShell>
  );
}
