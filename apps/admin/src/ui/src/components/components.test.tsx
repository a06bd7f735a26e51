import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionProvider, type Session } from '../auth/session';
import { KeysPage } from '../pages/KeysPage';
import { QueryState } from './QueryState';

function wrap(children: ReactNode, session: Session) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return (
    <MantineProvider>
      <QueryClientProvider client={qc}>
        <SessionProvider initial={session}>{children}</SessionProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

afterEach(() => vi.unstubAllGlobals());

describe('QueryState', () => {
  it('shows loading, error, empty, then content', () => {
    const { rerender } = render(wrap(<QueryState isLoading error={null} isEmpty={false} empty="none">x</QueryState>, { token: 't', role: 'admin', label: 'a' }));
    expect(screen.getByTestId('loading')).toBeTruthy();
    rerender(wrap(<QueryState isLoading={false} error={new Error('boom')} isEmpty={false} empty="none">x</QueryState>, { token: 't', role: 'admin', label: 'a' }));
    expect(screen.getByText('boom')).toBeTruthy();
    rerender(wrap(<QueryState isLoading={false} error={null} isEmpty empty="nothing here">x</QueryState>, { token: 't', role: 'admin', label: 'a' }));
    expect(screen.getByText('nothing here')).toBeTruthy();
  });
});

describe('KeysPage', () => {
  const page = { data: [{ id: 'key_1', name: 'ci', keyPrefix: 'llmp_ab', teamId: null, status: 'active', allowedModels: [], modelAliases: {}, perModelMaxTokens: {}, modelLimits: {}, rpm: null, tpm: null, maxParallel: null, maxChoices: null, budgetUsd: null, budgetPeriod: null, expiresAt: null, revokedAt: null, lastUsedAt: null, previousKeyExpiresAt: null, metadata: {}, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' }], nextCursor: 'c2' };

  it('hides the create button from viewers', async () => {
    vi.stubGlobal('fetch', vi.fn(async (url: string) => (String(url).includes('/teams') ? json([]) : json(page))));
    render(wrap(<KeysPage />, { token: 't', role: 'viewer', label: 'v' }));
    await screen.findByText('ci');
    expect(screen.queryByText('Create key')).toBeNull();
  });

  it('validates the create form before sending and pages with the server cursor', async () => {
    const fetchMock = vi.fn(async (url: string, _init?: RequestInit) => (String(url).includes("/teams") ? json([]) : json(page)));
    vi.stubGlobal('fetch', fetchMock);
    render(wrap(<KeysPage />, { token: 't', role: 'operator', label: 'o' }));
    await screen.findByText('ci');
    fireEvent.click(screen.getByTestId('next-page'));
    await waitFor(() => expect(fetchMock.mock.calls.some(([u]) => String(u).includes('cursor=c2'))).toBe(true));
    fireEvent.click(screen.getByText('Create key'));
    fireEvent.click(await screen.findByText('Create'));
    expect(await screen.findByText('A name is required')).toBeTruthy();
    expect(fetchMock.mock.calls.some(([, init]) => (init as RequestInit | undefined)?.method === 'POST')).toBe(false);
  });

  it('bounds max choices in the create form, then sends it', async () => {
    const created = { id: 'key_2', key: 'llmp_secret', keyPrefix: 'llmp_se', name: 'batch', teamId: null, allowedModels: [], modelAliases: {}, perModelMaxTokens: {}, rpm: null, tpm: null, maxParallel: null, maxChoices: 4, budgetUsd: null, budgetPeriod: null, expiresAt: null, metadata: {}, createdAt: '2026-01-01T00:00:00Z' };
    const fetchMock = vi.fn(async (url: string, init?: RequestInit) => (init?.method === 'POST' ? json(created, 201) : String(url).includes('/teams') ? json([]) : json(page)));
    vi.stubGlobal('fetch', fetchMock);
    const posts = () => fetchMock.mock.calls.filter(([, init]) => init?.method === 'POST').map(([, init]) => JSON.parse(String(init?.body)) as Record<string, unknown>);
    render(wrap(<KeysPage />, { token: 't', role: 'operator', label: 'o' }));
    await screen.findByText('ci');
    fireEvent.click(screen.getByText('Create key'));
    fireEvent.change(await screen.findByLabelText(/Name/), { target: { value: 'batch' } });
    const choices = screen.getByLabelText('Max choices') as HTMLInputElement;
    expect(choices.placeholder).toBe("team's, else 8");
    fireEvent.change(choices, { target: { value: '129' } });
    fireEvent.click(screen.getByText('Create'));
    expect(await screen.findByText("A whole number from 1 to 128, or empty for the default (the team's, else 8)")).toBeTruthy();
    expect(posts()).toEqual([]);
    fireEvent.change(choices, { target: { value: '4' } });
    fireEvent.click(screen.getByText('Create'));
    await waitFor(() => expect(posts()).toHaveLength(1));
    expect(posts()[0]).toMatchObject({ name: 'batch', maxChoices: 4, maxParallel: null });
  });
});
