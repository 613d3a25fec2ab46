import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRequest } from '../../local/issuer.ts';
import { birthRegistration, idempotent, maritalStatus } from '../support/fixtures.ts';
import { leader, officer, portal, startTestWard, type TestWard } from '../support/ward.ts';

let ward: TestWard;
const filed: { code: string; etag: string; pin: string; channel: string; procedure: string }[] = [];

beforeAll(async () => {
  ward = await startTestWard();
  // Four counter filings (civil status, 3 days), three online birth registrations (8 hours, not yet received),
  // and one counter filing of another field (business registration, 3 days).
  const bodies: [Record<string, unknown>, typeof officer | typeof portal][] = [
    [maritalStatus(), officer],
    [maritalStatus(), officer],
    [maritalStatus(), officer],
    [maritalStatus(), officer],
    [birthRegistration(), portal],
    [birthRegistration(), portal],
    [birthRegistration(), portal],
    [
      maritalStatus({ procedureCode: '2.000720', components: ['GDN'], payment: { method: 'cash', paid: true } }),
      officer,
    ],
  ];
  for (const [body, as] of bodies) {
    const response = await ward.api.post('/dossiers', body, { as, headers: idempotent() });
    expect(response.status).toBe(201);
    filed.push({
      code: response.body.code,
      etag: response.headers.get('etag')!,
      pin: response.body.lookup.pin,
      channel: String(body.channel),
      procedure: String(body.procedureCode),
    });
  }
  // One assigned to a specialist.
  const assigned = await ward.api.post(
    `/dossiers/${filed[0]!.code}/actions`,
    { action: 'assign', assignee: 'specialist.42' },
    { as: leader, headers: { 'if-match': filed[0]!.etag } },
  );
  expect(assigned.status).toBe(200);
});
afterAll(async () => {
  await ward?.stop();
});

const codes = (items: { code: string }[]) => items.map((i) => i.code);

describe('the worklist', () => {
  it('lists newest first by default, and soonest due first on request', async () => {
    const newest = await ward.api.get('/dossiers', { as: officer });
    expect(codes(newest.body.items)).toEqual(codes([...filed].reverse()));
    const byDue = await ward.api.get('/dossiers?sort=due', { as: officer });
    const dues = byDue.body.items.map((i: { dueAt?: string }) => i.dueAt ?? '9999');
    expect(dues).toEqual([...dues].sort());
    expect(byDue.body.items.at(-1).status).toBe('submitted');
  });

  it('filters by status, field, channel, assignee and due date', async () => {
    const submitted = await ward.api.get('/dossiers?status=submitted', { as: officer });
    expect(codes(submitted.body.items).sort()).toEqual(codes(filed.filter((f) => f.channel === 'online')).sort());
    const business = await ward.api.get('/dossiers?field=HKD', { as: officer });
    expect(codes(business.body.items)).toEqual([filed[7]!.code]);
    const counter = await ward.api.get('/dossiers?channel=in_person&status=received', { as: officer });
    expect(counter.body.items).toHaveLength(4);
    const assigned = await ward.api.get('/dossiers?assignee=specialist.42', { as: officer });
    expect(assigned.body.items).toEqual([
      expect.objectContaining({ code: filed[0]!.code, status: 'in_progress', applicantName: 'Nguyễn Thị Lan' }),
    ]);
    const mine = await ward.api.get('/dossiers?assignee=me', { as: { role: 'specialist', username: 'specialist.42' } });
    expect(codes(mine.body.items)).toEqual([filed[0]!.code]);
    const farFuture = await ward.api.get('/dossiers?sort=due&dueBefore=2099-01-01', { as: officer });
    expect(farFuture.body.items).toHaveLength(5); // everything with a due date
    const past = await ward.api.get('/dossiers?dueBefore=2000-01-01T00:00:00Z', { as: officer });
    expect(past.body.items).toEqual([]);
  });

  it('refuses a due date outside the calendar’s years, naming the field', async () => {
    for (const dueBefore of ['9999-01-01', '1900-01-01T00:00:00Z', '2101-01-01']) {
      const answer = await ward.api.get(`/dossiers?sort=due&dueBefore=${dueBefore}`, { as: officer });
      expect(answer.status, dueBefore).toBe(400);
      expect(answer.body.errors).toEqual([
        expect.objectContaining({
          in: 'query',
          field: 'dueBefore',
          rule: 'date_in_calendar_range',
          message: 'Ngày phải thuộc các năm 2000–2100.',
        }),
      ]);
    }
  });

  it('pages with an opaque cursor, each dossier once, and refuses a cursor used with other filters', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await ward.api.get(`/dossiers?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { as: officer });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...codes(page.body.items));
      cursor = page.body.cursor;
      pages += 1;
    } while (cursor);
    expect(seen).toEqual(codes([...filed].reverse()));
    expect(pages).toBe(3);
    const first = await ward.api.get('/dossiers?limit=3', { as: officer });
    const misuse = await ward.api.get(`/dossiers?limit=3&status=received&cursor=${first.body.cursor}`, { as: officer });
    expect(misuse.status).toBe(400);
    expect(misuse.body.errors[0]).toMatchObject({ field: 'cursor', rule: 'cursor' });
  });

  it('shows on each line, from every list index, what the dossier itself shows, and an ETag an action accepts', async () => {
    // The list indexes project a summary of the dossier, not the item (shared/blueprint/resources.ts).
    const fields = ['code', 'version', 'status', 'procedure', 'channel', 'filedAt', 'receivedAt', 'dueAt'] as const;
    const more = ['assignee', 'department', 'timing', 'overdue', 'dueSoon'] as const;
    for (const query of ['', '?sort=due', '?status=received', '?status=received&sort=due']) {
      const list = await ward.api.get(`/dossiers${query}`, { as: officer });
      expect(list.body.items.length, query).toBeGreaterThan(0);
      for (const line of list.body.items) {
        const dossier = await ward.api.get(`/dossiers/${line.code}`, { as: officer });
        const shown = Object.fromEntries(
          [...fields, ...more].filter((f) => dossier.body[f] !== undefined).map((f) => [f, dossier.body[f]]),
        );
        expect(line, `${query} ${line.code}`).toEqual({
          ...shown,
          applicantName: dossier.body.applicant.fullName,
          etag: dossier.headers.get('etag'),
        });
      }
    }
    // The worklist's ETag is the dossier's: an action taken from a worklist line goes through.
    const [line] = (await ward.api.get('/dossiers?status=received&channel=in_person', { as: officer })).body.items;
    const assigned = await ward.api.post(
      `/dossiers/${line.code}/actions`,
      { action: 'assign', assignee: 'specialist.42' },
      { as: officer, headers: { 'if-match': line.etag } },
    );
    expect(assigned.status).toBe(200);
  });

  it('shows a portal only the dossiers it filed, without applicant names', async () => {
    const list = await ward.api.get('/dossiers', { as: portal });
    expect(codes(list.body.items).sort()).toEqual(codes(filed.filter((f) => f.channel === 'online')).sort());
    expect(list.body.items[0].applicantName).toBeUndefined();
    expect((await ward.api.get(`/dossiers/${filed[0]!.code}`, { as: portal })).status).toBe(404);
    expect((await ward.api.get(`/dossiers/${filed[4]!.code}`, { as: portal })).status).toBe(200);
  });
});

describe('what each role sees of the applicant', () => {
  const full = {
    fullName: 'Nguyễn Thị Lan',
    idNumber: '001190012345',
    phone: '0912345678',
    email: 'lan.nguyen@example.vn',
    address: expect.stringContaining('Kim Liên'),
  };
  const seenBy = async (code: string, as: TokenRequest) => (await ward.api.get(`/dossiers/${code}`, { as })).body;

  it('shows officers, leaders and the assignee everything; another specialist the name only', async () => {
    const code = filed[0]!.code; // assigned to specialist.42
    for (const as of [officer, leader, { role: 'specialist', username: 'specialist.42' }] as const) {
      const view = await seenBy(code, as);
      expect(view.applicant, JSON.stringify(as)).toEqual(full);
      expect(view.applicantDetail).toBe('full');
    }
    for (const as of [
      { role: 'specialist', username: 'specialist.43' },
      { role: 'specialist', username: 'specialist.local' },
    ] as const) {
      const view = await seenBy(code, as);
      expect(view.applicant, JSON.stringify(as)).toEqual({ fullName: 'Nguyễn Thị Lan' });
      expect(view.applicantDetail).toBe('name');
      expect(JSON.stringify(view)).not.toMatch(/001190012345|0912345678|lan\.nguyen|Kim Liên/);
    }
    // Before any assignment, no specialist holds the dossier.
    expect((await seenBy(filed[1]!.code, { role: 'specialist', username: 'specialist.42' })).applicant).toEqual({
      fullName: 'Nguyễn Thị Lan',
    });
  });

  it('shows the specialists of the department a dossier is assigned to everything, others the name', async () => {
    const { code, etag } = filed[2]!;
    const toDepartment = await ward.api.post(
      `/dossiers/${code}/actions`,
      { action: 'assign', department: 'Kinh tế – Hạ tầng – Đô thị' },
      { as: leader, headers: { 'if-match': etag } },
    );
    expect(toDepartment.status).toBe(200);
    filed[2]!.etag = toDepartment.headers.get('etag')!;
    expect((await seenBy(code, { role: 'specialist', username: 'specialist.43' })).applicant).toEqual(full);
    expect((await seenBy(code, { role: 'specialist', username: 'specialist.42' })).applicant).toEqual({
      fullName: 'Nguyễn Thị Lan',
    });
  });

  it('shows the filing portal everything it sent, and names applicants on staff worklists only', async () => {
    expect((await seenBy(filed[4]!.code, portal)).applicant).toEqual(full);
    const staffList = await ward.api.get('/dossiers', { as: { role: 'specialist', username: 'specialist.43' } });
    expect(staffList.body.items.every((i: { applicantName?: string }) => i.applicantName === 'Nguyễn Thị Lan')).toBe(
      true,
    );
    expect(JSON.stringify(staffList.body)).not.toMatch(/001190012345|0912345678/);
  });
});

describe('the citizen’s public lookup', () => {
  it('shows status and dates with the receipt PIN, and nothing personal', async () => {
    const mine = filed[0]!;
    const lookup = await ward.api.get(`/public/dossiers/${mine.code}?pin=${mine.pin}`);
    expect(lookup.status).toBe(200);
    expect(lookup.body).toMatchObject({
      code: mine.code,
      status: 'in_progress',
      statusText: 'Đang giải quyết',
      procedure: { code: '1.004873' },
    });
    const text = JSON.stringify(lookup.body);
    expect(text).not.toMatch(/Nguyễn|001190012345|0912345678|Kim Liên|specialist/);
    const english = await ward.api.get(`/public/dossiers/${mine.code}?pin=${mine.pin}`, {
      headers: { 'accept-language': 'en' },
    });
    expect(english.body.statusText).toBe('In progress');
  });

  it('answers a wrong PIN and an unknown code alike', async () => {
    const mine = filed[1]!;
    const wrongPin = String((Number(mine.pin) + 1) % 100_000_000).padStart(8, '0');
    const wrong = await ward.api.get(`/public/dossiers/${mine.code}?pin=${wrongPin}`);
    const unknownCode = mine.code.replace(/\d{4}$/, '9999');
    const unknown = await ward.api.get(`/public/dossiers/${unknownCode}?pin=${mine.pin}`);
    expect(wrong.status).toBe(404);
    expect(unknown.status).toBe(404);
    const comparable = (body: Record<string, unknown>) => ({ ...body, correlationId: undefined, instance: undefined });
    expect(comparable(wrong.body)).toEqual(comparable(unknown.body));
    expect((await ward.api.get(`/public/dossiers/${mine.code}?pin=12`)).status).toBe(400);
  });
});

describe('the report period', () => {
  it('is at most a year long, within the calendar’s years, and refused field by field otherwise', async () => {
    expect((await ward.api.get('/reports?from=2024-01-01&to=2024-12-31', { as: leader })).status).toBe(200);
    const long = await ward.api.get('/reports?from=2024-01-01&to=2025-01-01', {
      as: leader,
      headers: { 'accept-language': 'en' },
    });
    expect(long.status).toBe(400);
    expect(long.body.errors).toEqual([
      expect.objectContaining({
        field: 'to',
        rule: 'report_period_too_long',
        message: 'A report period is at most 366 days long.',
      }),
    ]);
    const ancient = await ward.api.get('/reports?from=1900-01-01&to=1900-01-31', { as: leader });
    expect(ancient.status).toBe(400);
    expect(ancient.body.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`).sort()).toEqual([
      'from:date_in_calendar_range',
      'to:date_in_calendar_range',
    ]);
    const century = await ward.api.get('/reports?from=2000-01-01&to=2100-12-31', { as: leader });
    expect(century.status).toBe(400);
    expect(century.body.errors).toEqual([expect.objectContaining({ field: 'to', rule: 'report_period_too_long' })]);
  });
});
