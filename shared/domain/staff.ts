/**
 * The ward's staff directory (from its configuration) as the workflow reads it: who may be assigned a
 * dossier, and who holds one once it is assigned. Pure.
 */
export type StaffRole = 'officer' | 'specialist' | 'leader';

export interface StaffMember {
  /** The sign-in name: the `username` claim of the member's access token. */
  username: string;
  displayName: string;
  roles: readonly StaffRole[];
  department: string;
  email?: string | undefined;
}

export type StaffDirectory = readonly StaffMember[];

/** To whom a dossier is assigned: a person (with their department), a department only, or no one yet. */
export interface Assignment {
  assignee: string | null;
  department: string | null;
}

export function staffMember(directory: StaffDirectory, username: string): StaffMember | undefined {
  return directory.find((m) => m.username === username);
}

/** Assignees handle dossiers: specialists, and leaders who take one on themselves. */
export function mayBeAssigned(member: StaffMember | undefined): member is StaffMember {
  return member?.roles.some((r) => r === 'specialist' || r === 'leader') ?? false;
}

/** A department can be given dossiers only if a specialist of it can take them up. */
export function departmentTakesDossiers(directory: StaffDirectory, department: string): boolean {
  return directory.some((m) => m.department === department && m.roles.includes('specialist'));
}

export function isAssigned(assignment: Assignment): boolean {
  return assignment.assignee !== null || assignment.department !== null;
}

/**
 * Whether a staff member, acting in `role`, holds an assigned dossier: as its assignee; or, while it is
 * assigned to a department only, as a specialist of that department (by the directory, and in that role).
 */
export function holdsAssignment(
  username: string,
  role: StaffRole,
  assignment: Assignment,
  directory: StaffDirectory,
): boolean {
  if (assignment.assignee !== null) return assignment.assignee === username;
  if (assignment.department === null || role !== 'specialist') return false;
  const member = staffMember(directory, username);
  return member !== undefined && member.department === assignment.department && member.roles.includes('specialist');
}
