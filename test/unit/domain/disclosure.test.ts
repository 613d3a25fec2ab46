import { describe, expect, it } from 'vitest';
import { readWardFile } from '../../../shared/config/ward-files.ts';
import {
  applicantDisclosure,
  disclosedApplicant,
  worklistShowsApplicantName,
} from '../../../shared/domain/disclosure.ts';
import type { Actor } from '../../../shared/domain/dossier.ts';

const { staff } = readWardFile('sample');
const as = (username: string, role: 'officer' | 'specialist' | 'leader'): Actor => ({
  kind: 'staff',
  id: `sub-${username}`,
  username,
  name: username,
  role,
});
const portal = (id: string): Actor => ({ kind: 'portal', id, name: id });
const toPerson = { assignee: 'specialist.42', department: 'Tư pháp – Hộ tịch', portalId: 'dvcqg' };
const toDepartment = { department: 'Tư pháp – Hộ tịch', portalId: 'dvcqg' };
const unassigned = { portalId: 'dvcqg' };

describe('what each role sees of the applicant', () => {
  it.each([
    ['an officer', [as('officer.local', 'officer')], toPerson, 'full'],
    ['a leader', [as('leader.local', 'leader')], toPerson, 'full'],
    ['the assignee', [as('specialist.42', 'specialist')], toPerson, 'full'],
    ['a colleague of the assignee', [as('specialist.local', 'specialist')], toPerson, 'name'],
    ['a specialist of another department', [as('specialist.43', 'specialist')], toPerson, 'name'],
    ['a specialist of the department it is assigned to', [as('specialist.local', 'specialist')], toDepartment, 'full'],
    [
      'a specialist of another department, assigned to a department',
      [as('specialist.43', 'specialist')],
      toDepartment,
      'name',
    ],
    ['a specialist, before any assignment', [as('specialist.42', 'specialist')], unassigned, 'name'],
    ['the filing portal', [portal('dvcqg')], toPerson, 'full'],
    ['another portal', [portal('other')], toPerson, 'none'],
    ['nobody', [], toPerson, 'none'],
    [
      'a specialist who is also an officer',
      [as('leader.2', 'specialist'), as('leader.2', 'officer')],
      unassigned,
      'full',
    ],
  ] as const)('%s: %s', (_, actors, dossier, expected) => {
    expect(applicantDisclosure(dossier, actors, staff)).toBe(expected);
  });

  it('gives the name alone, or nothing, when that is all the role needs', () => {
    const applicant = {
      fullName: 'Nguyễn Thị Lan',
      idNumber: '001190012345',
      phone: '0912345678',
      address: 'Kim Liên',
    };
    expect(disclosedApplicant(applicant, 'full')).toEqual(applicant);
    expect(disclosedApplicant(applicant, 'name')).toEqual({ fullName: 'Nguyễn Thị Lan' });
    expect(disclosedApplicant(applicant, 'none')).toBeUndefined();
    expect(worklistShowsApplicantName([as('specialist.43', 'specialist')])).toBe(true);
    expect(worklistShowsApplicantName([portal('dvcqg')])).toBe(false);
  });
});
