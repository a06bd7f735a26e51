import type { TeamRecord } from '@llmp/policy';
import { policyFieldsView } from '../common/policy-fields.view';
import type { TeamDto } from './dto/team.dto';

export function teamView(t: TeamRecord): TeamDto {
  return {
    id: t.id,
    name: t.name,
    ...policyFieldsView(t),
    metadata: t.metadata,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}
