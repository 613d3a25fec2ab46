import { describe, expect, it } from 'vitest';
import { parseWardConfig } from '../../../shared/config/ward.ts';
import { readWardFile } from '../../../shared/config/ward-files.ts';
import { holdsAssignment } from '../../../shared/domain/staff.ts';

const sample = readWardFile('sample');

describe('the staff directory of the ward configuration', () => {
  it('lists the usernames local tokens and tests sign in with, in two departments at least', () => {
    const usernames = sample.staff.map((m) => m.username);
    expect(usernames).toEqual(
      expect.arrayContaining(['officer.local', 'specialist.local', 'leader.local', 'specialist.42', 'specialist.43']),
    );
    const specialists = sample.staff.filter((m) => m.roles.includes('specialist'));
    expect(new Set(specialists.map((m) => m.department)).size).toBeGreaterThanOrEqual(2);
  });

  it('refuses two members with one username, naming the entry', () => {
    const twice = { ...sample, staff: [...sample.staff, { ...sample.staff[0]!, displayName: 'Người khác' }] };
    expect(() => parseWardConfig(twice)).toThrow(
      new RegExp(`duplicate staff username ${sample.staff[0]!.username}[\\s\\S]*staff\\[${sample.staff.length}\\]`),
    );
  });

  it('keeps departments in NFC, so an assignment typed either way names the same department', () => {
    const nfd = {
      ...sample,
      staff: [
        {
          username: 'specialist.9',
          displayName: 'Lý Thị Na',
          roles: ['specialist'],
          department: 'Văn hóa – Xã hội'.normalize('NFD'),
        },
      ],
    };
    const parsed = parseWardConfig(nfd);
    expect(parsed.staff[0]!.department).toBe('Văn hóa – Xã hội');
    expect(
      holdsAssignment('specialist.9', 'specialist', { assignee: null, department: 'Văn hóa – Xã hội' }, parsed.staff),
    ).toBe(true);
  });
});
