import { useQuery } from '@tanstack/react-query';
import { useApi } from '../auth/session';

/** Teams, shared by every screen that needs names or a team picker (one request, cached). */
export function useTeams() {
  const api = useApi();
  return useQuery({ queryKey: ['teams'], queryFn: () => api.call('GET /admin/v1/teams', {}), staleTime: 30_000 });
}

export function useTeamOptions(): { value: string; label: string }[] {
  const teams = useTeams();
  return (teams.data ?? []).map((t) => ({ value: t.id, label: t.name }));
}
