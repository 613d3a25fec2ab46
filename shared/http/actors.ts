import { wardConfig } from '../config/current-ward.ts';
import type { Actor } from '../domain/dossier.ts';
import { staffMember } from '../domain/staff.ts';
import type { Principal } from './auth.ts';

/** The caller as the workflow sees it: one actor per role held (a staff member may hold several). */
export function actorsOf(principal: Principal): Actor[] {
  if (principal.kind === 'staff') {
    const name = staffMember(wardConfig().staff, principal.username)?.displayName ?? principal.username;
    return principal.roles.map((role) => ({
      kind: 'staff',
      id: principal.userId,
      username: principal.username,
      name,
      role,
    }));
  }
  if (principal.kind === 'portal') {
    const portal = wardConfig().portals.find((p) => p.id === principal.portalId);
    return [{ kind: 'portal', id: principal.portalId, name: portal?.name ?? principal.portalId }];
  }
  return [];
}

/** Who owns an Idempotency-Key: keys of two callers never collide. */
export function callerId(principal: Principal): string {
  if (principal.kind === 'staff') return `staff:${principal.userId}`;
  if (principal.kind === 'portal') return `portal:${principal.portalId}`;
  return 'anonymous';
}
