import type { Actor, Applicant, Dossier } from './dossier.ts';
import { holdsAssignment, type StaffDirectory } from './staff.ts';

/**
 * What of the applicant's personal data (citizen ID, phone, e-mail, address) each caller sees: only what its
 * role needs for the dossier at hand. Pure; applied by the views of GET /dossiers/{code} and the worklist.
 *
 * - officer: everything: the one-stop officer checks the papers against the person and hands the result over;
 * - leader: everything: the leader signs the result;
 * - specialist: everything on a dossier it holds (its assignee, or a specialist of the department it is
 *   assigned to while no one is named); on any other dossier the name only, enough to recognise it;
 * - the portal that filed the dossier: everything it sent (a portal that did not file it sees nothing at all).
 */
export type ApplicantDisclosure = 'full' | 'name' | 'none';

export function applicantDisclosure(
  dossier: Pick<Dossier, 'assignee' | 'department' | 'portalId'>,
  actors: readonly Actor[],
  staff: StaffDirectory,
): ApplicantDisclosure {
  const assignment = { assignee: dossier.assignee ?? null, department: dossier.department ?? null };
  let disclosure: ApplicantDisclosure = 'none';
  for (const actor of actors) {
    if (actor.kind === 'portal' && actor.id === dossier.portalId) return 'full';
    if (actor.kind !== 'staff') continue;
    if (actor.role !== 'specialist' || holdsAssignment(actor.username, actor.role, assignment, staff)) return 'full';
    disclosure = 'name';
  }
  return disclosure;
}

/** The applicant as disclosed: all of it, the name alone, or nothing. */
export function disclosedApplicant(
  applicant: Applicant,
  disclosure: ApplicantDisclosure,
): Partial<Applicant> | undefined {
  if (disclosure === 'full') return applicant;
  if (disclosure === 'name') return { fullName: applicant.fullName };
  return undefined;
}

/**
 * The worklist shows each dossier's applicant by name to staff, who look dossiers up by it (every staff role
 * may see the name); a portal's worklist is for keeping its own copies in step, and it has the names already.
 */
export function worklistShowsApplicantName(actors: readonly Actor[]): boolean {
  return actors.some((a) => a.kind === 'staff');
}
