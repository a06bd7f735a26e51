import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { ApiClient } from '../api/client';
import type { SessionRole } from './permissions';

export interface Session {
  token: string;
  role: SessionRole;
  /** Who is signed in, for the header (an email, or "master key"). */
  label: string;
}

const STORAGE_KEY = 'llmp.session';

/** Session storage (not local): a tab's credential ends with the tab, and the master key never outlives it. */
export function loadSession(storage: Storage = sessionStorage): Session | null {
  try {
    const s = JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null') as Session | null;
    return s && typeof s.token === 'string' && typeof s.role === 'string' ? s : null;
  } catch {
    return null;
  }
}

interface SessionContextValue {
  session: Session | null;
  api: ApiClient;
  signIn(s: Session): void;
  signOut(): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children, initial }: { children: ReactNode; initial?: Session | null }) {
  const [session, setSession] = useState<Session | null>(initial !== undefined ? initial : loadSession());
  const signIn = useCallback((s: Session) => {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(s));
    setSession(s);
  }, []);
  const signOut = useCallback(() => {
    sessionStorage.removeItem(STORAGE_KEY);
    setSession(null);
  }, []);
  const api = useMemo(() => new ApiClient(() => session?.token ?? null, signOut), [session, signOut]);
  const value = useMemo(() => ({ session, api, signIn, signOut }), [session, api, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

/** The API client of the signed-in session. */
export function useApi(): ApiClient {
  return useSession().api;
}
