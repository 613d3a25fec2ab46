/**
 * The words of a deadline alert and of the leaders' daily digest, in Vietnamese, as e-mail subject and body. Pure:
 * the caller brings the instants, the working minutes and the names. Only the applicant's name appears: no ID
 * number, no phone, no address (the alert goes to e-mail inboxes outside the system).
 */
import type { DeadlineDigest, DigestEntry } from './deadline-digest.ts';
import { zoneOffsetMs } from './zoned-time.ts';

/** SNS refuses a subject of 100 characters or more. */
const SUBJECT_MAX = 99;
const WORKING_DAY_MINUTES = 480;

export interface AlertNotice {
  kind: 'due_soon' | 'overdue';
  /** A feedback item (PAKN) rather than a dossier: its own words, and no apology form. */
  subject?: 'dossier' | 'feedback' | undefined;
  code: string;
  procedureName: string;
  applicantName?: string | undefined;
  /** The assignee's display name, when the dossier has one. */
  assigneeName?: string | undefined;
  department?: string | undefined;
  dueAt: string;
  /** Working minutes past the due date (overdue) or left before it (due soon), at the alert's instant. */
  workingMinutes: number;
  /** Whether an apology (form 04) was issued already; the law allows one. */
  apologized: boolean;
}

/** `16:30 ngày 03/12/2026`: an instant on the ward's wall clock. */
export function wardTime(iso: string, timeZone: string): string {
  const instant = Date.parse(iso);
  const local = new Date(instant + zoneOffsetMs(instant, timeZone));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(local.getUTCHours())}:${two(local.getUTCMinutes())} ngày ${two(local.getUTCDate())}/${two(local.getUTCMonth() + 1)}/${local.getUTCFullYear()}`;
}

/** `1 ngày 3 giờ làm việc`, `45 phút làm việc`: working time as a ward counts it (a working day is 8 hours). */
export function workingDuration(exactMinutes: number): string {
  const minutes = Math.floor(exactMinutes);
  const days = Math.floor(minutes / WORKING_DAY_MINUTES);
  const hours = Math.floor((minutes % WORKING_DAY_MINUTES) / 60);
  const rest = minutes % 60;
  const parts = [
    ...(days ? [`${days} ngày`] : []),
    ...(hours ? [`${hours} giờ`] : []),
    ...(rest && !days ? [`${rest} phút`] : []),
  ];
  return `${parts.length ? parts.join(' ') : 'dưới 1 phút'} làm việc`;
}

const handler = (n: { assigneeName?: string | undefined; department?: string | undefined }) =>
  n.assigneeName ? `${n.assigneeName}${n.department ? ` (${n.department})` : ''}` : (n.department ?? 'chưa phân công');

const fitSubject = (subject: string) =>
  subject.length <= SUBJECT_MAX ? subject : `${subject.slice(0, SUBJECT_MAX - 1)}…`;

function feedbackAlertText(notice: AlertNotice, timeZone: string): { subject: string; body: string } {
  const late = notice.kind === 'overdue';
  const subject = fitSubject(`[${late ? 'Quá hạn' : 'Sắp đến hạn'}] Phản ánh, kiến nghị ${notice.code}`);
  const lines = [
    late ? 'Phản ánh, kiến nghị đã quá hạn trả lời.' : 'Phản ánh, kiến nghị sắp đến hạn trả lời.',
    '',
    `Mã phản ánh, kiến nghị: ${notice.code}`,
    `Hạn trả lời: ${wardTime(notice.dueAt, timeZone)}`,
    late
      ? `Đã quá hạn: ${workingDuration(notice.workingMinutes)}`
      : `Còn lại: ${workingDuration(notice.workingMinutes)}`,
  ];
  return { subject, body: `${lines.join('\n')}\n` };
}

export function alertText(notice: AlertNotice, timeZone: string): { subject: string; body: string } {
  if (notice.subject === 'feedback') return feedbackAlertText(notice, timeZone);
  const late = notice.kind === 'overdue';
  const subject = fitSubject(`[${late ? 'Quá hạn' : 'Sắp đến hạn'}] Hồ sơ ${notice.code}: ${notice.procedureName}`);
  const lines = [
    late ? 'Hồ sơ đã quá hạn giải quyết.' : 'Hồ sơ sắp đến hạn giải quyết.',
    '',
    `Mã hồ sơ: ${notice.code}`,
    `Thủ tục: ${notice.procedureName}`,
    `Người nộp: ${notice.applicantName ?? '(không rõ)'}`,
    `Người xử lý: ${handler(notice)}`,
    `Hạn giải quyết: ${wardTime(notice.dueAt, timeZone)}`,
    late
      ? `Đã quá hạn: ${workingDuration(notice.workingMinutes)}`
      : `Còn lại: ${workingDuration(notice.workingMinutes)}`,
  ];
  if (late && !notice.apologized)
    lines.push('', 'Phải gửi Văn bản xin lỗi và hẹn lại ngày trả kết quả (Mẫu số 04) cho người nộp hồ sơ.');
  if (late && notice.apologized) lines.push('', 'Đã gửi Văn bản xin lỗi (Mẫu số 04); hồ sơ vẫn quá hạn theo hẹn mới.');
  return { subject, body: `${lines.join('\n')}\n` };
}

const entryLine = (e: DigestEntry, timeZone: string) =>
  `    - ${e.code} · ${e.procedureName} · ${e.applicantName ?? '(không rõ)'} · ${handler(e)} · hạn ${wardTime(e.dueAt, timeZone)}`;

/** The digest as one e-mail: counts, then the dossiers of each department, overdue first. */
export function digestText(digest: DeadlineDigest, wardName: string): { subject: string; body: string } {
  const { counts } = digest;
  const subject = fitSubject(
    `[Tổng hợp ${digest.date.split('-').reverse().join('/')}] Quá hạn ${counts.overdue}, đến hạn hôm nay ${counts.dueToday}, sắp đến hạn ${counts.dueSoon}`,
  );
  const lines = [
    `${wardName}: hồ sơ cần chú ý lúc ${wardTime(digest.at, digest.timeZone)}.`,
    '',
    `Quá hạn: ${counts.overdue}`,
    `Đến hạn trong hôm nay: ${counts.dueToday}`,
    `Sắp đến hạn (trong ${digest.dueSoonHours} giờ tới): ${counts.dueSoon}`,
  ];
  const sections = [
    ['overdue', 'Quá hạn'],
    ['dueToday', 'Đến hạn hôm nay'],
    ['dueSoon', 'Sắp đến hạn'],
  ] as const;
  for (const department of digest.departments) {
    lines.push(
      '',
      `${department.department} (quá hạn ${department.counts.overdue}, hôm nay ${department.counts.dueToday}, sắp đến hạn ${department.counts.dueSoon})`,
    );
    for (const [key, title] of sections) {
      if (department[key].length === 0) continue;
      lines.push(`  ${title}:`);
      for (const entry of department[key]) lines.push(entryLine(entry, digest.timeZone));
    }
  }
  if (!digest.complete) lines.push('', 'Danh sách chưa đầy đủ: xem GET /deadlines hoặc danh sách hồ sơ.');
  return { subject, body: `${lines.join('\n')}\n` };
}
