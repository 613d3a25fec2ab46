import { describe, expect, it } from 'vitest';
import { encodeHeaderWord, renderEml } from '../../../local/mail.ts';
import { alertSubscriptions } from '../../../shared/config/alert-recipients.ts';
import { readWardFile } from '../../../shared/config/ward-files.ts';
import { alertText, wardTime, workingDuration } from '../../../shared/domain/alert-text.ts';
import { deadlineDigest } from '../../../shared/domain/deadline-digest.ts';
import { instantAt } from '../../../shared/domain/zoned-time.ts';

const ZONE = 'Asia/Ho_Chi_Minh';
const notice = {
  kind: 'overdue' as const,
  code: '000.00.00.H99-261201-0001',
  procedureName: 'Cấp Giấy xác nhận tình trạng hôn nhân',
  applicantName: 'Nguyễn Thị Lan',
  assigneeName: 'Phạm Minh Tuấn',
  department: 'Tư pháp – Hộ tịch',
  dueAt: '2026-12-03T09:30:00.000Z',
  workingMinutes: 8 * 60 + 90.5,
  apologized: false,
};

describe('an alert in words', () => {
  it('says what is late, by how much in working time, in ward time, and that form 04 is due', () => {
    const { subject, body } = alertText(notice, ZONE);
    expect(subject).toBe('[Quá hạn] Hồ sơ 000.00.00.H99-261201-0001: Cấp Giấy xác nhận tình trạng hôn nhân');
    expect(body).toContain('Hạn giải quyết: 16:30 ngày 03/12/2026\n');
    expect(body).toContain('Đã quá hạn: 1 ngày 1 giờ làm việc\n');
    expect(body).toContain('Người xử lý: Phạm Minh Tuấn (Tư pháp – Hộ tịch)\n');
    expect(body).toContain('(Mẫu số 04)');
    expect(alertText({ ...notice, kind: 'due_soon', workingMinutes: 45 }, ZONE).body).toContain(
      'Còn lại: 45 phút làm việc\n',
    );
    expect(alertText({ ...notice, apologized: true }, ZONE).body).not.toContain('Phải gửi');
    expect(alertText({ ...notice, assigneeName: undefined, department: undefined }, ZONE).body).toContain(
      'Người xử lý: chưa phân công\n',
    );
  });

  it('keeps the subject under the 100 characters SNS takes', () => {
    expect(alertText({ ...notice, procedureName: 'Thủ tục '.repeat(30) }, ZONE).subject.length).toBeLessThan(100);
    expect(workingDuration(0.4)).toBe('dưới 1 phút làm việc');
    expect(wardTime('2026-12-31T17:05:00.000Z', ZONE)).toBe('00:05 ngày 01/01/2027');
  });
});

describe('an .eml file', () => {
  it('encodes a Vietnamese subject in RFC 2047 words of at most 75 characters that decode back', () => {
    const subject = `[Quá hạn] Hồ sơ ${notice.code}: ${notice.procedureName}`;
    const header = encodeHeaderWord(subject);
    const words = header.split('\r\n ');
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) expect(word).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
    for (const word of words) expect(word.length).toBeLessThanOrEqual(75);
    expect(words.map((w) => Buffer.from(w.slice(10, -2), 'base64').toString('utf8')).join('')).toBe(subject);
    expect(encodeHeaderWord('plain ASCII')).toBe('plain ASCII');
    const eml = renderEml({
      from: 'a@b',
      to: 'c@d',
      subject,
      body: 'dòng 1\ndòng 2\n',
      date: new Date('2026-12-03T00:00:00Z'),
      messageId: 'x@y',
    });
    expect(eml).toMatch(/^From: a@b\r\nTo: c@d\r\nSubject: =\?UTF-8\?B\?/);
    expect(eml).toContain('\r\nDate: Thu, 03 Dec 2026 00:00:00 +0000\r\n');
    expect(eml.endsWith('\r\n\r\ndòng 1\r\ndòng 2\r\n')).toBe(true);
  });
});

describe('who gets alerts by e-mail', () => {
  it('subscribes the ward’s addresses to everything and each staff address to its members’ alerts only', () => {
    const ward = readWardFile('sample');
    const subscriptions = alertSubscriptions({
      alerts: { ...ward.alerts, emails: ['lanhdao@phuongmau.example.gov.vn', 'Binh.HV@phuongmau.example.gov.vn'] },
      staff: [...ward.staff, { ...ward.staff[1]!, username: 'twin', email: 'HUY.dq@phuongmau.example.gov.vn' }],
    });
    expect(subscriptions).toEqual([
      { email: 'lanhdao@phuongmau.example.gov.vn' },
      { email: 'Binh.HV@phuongmau.example.gov.vn' },
      { email: 'hong.tt@phuongmau.example.gov.vn', filterPolicy: { assignee: ['officer.local'] } },
      { email: 'tuan.pm@phuongmau.example.gov.vn', filterPolicy: { assignee: ['specialist.local'] } },
      // Two members sharing an address share its one subscription; the leader's address gets everything already.
      { email: 'huy.dq@phuongmau.example.gov.vn', filterPolicy: { assignee: ['specialist.43', 'twin'] } },
    ]);
  });
});

describe('the digest', () => {
  it('counts each dossier once: overdue, due by the end of the ward’s day, or due soon after it, by department', () => {
    const now = instantAt('2026-12-03', 7 * 60, ZONE);
    const entry = (code: string, hours: number, department?: string) => ({
      code,
      procedureName: 'p',
      dueAt: new Date(now + hours * 3_600_000).toISOString(),
      ...(department ? { department } : {}),
    });
    const digest = deadlineDigest(
      [
        entry('late', -1, 'B'),
        entry('today', 16.9, 'B'),
        entry('midnight', 17, 'A'),
        entry('edge', 24),
        entry('far', 24.01),
      ],
      { now, timeZone: ZONE, dueSoonHours: 24, complete: true },
    );
    expect(digest.counts).toEqual({ overdue: 1, dueToday: 1, dueSoon: 2 });
    expect(digest.date).toBe('2026-12-03');
    expect(
      digest.departments.map((d) => [d.department, d.overdue.length, d.dueToday.length, d.dueSoon.length]),
    ).toEqual([
      ['A', 0, 0, 1],
      ['B', 1, 1, 0],
      ['Chưa phân công', 0, 0, 1],
    ]);
  });
});
