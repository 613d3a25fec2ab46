import { randomUUID } from 'node:crypto';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../shared/adapters/aws.ts';
import { calendarSpecOf } from '../../shared/config/calendar.ts';
import { readWardFile } from '../../shared/config/ward-files.ts';
import { WorkingCalendar } from '../../shared/domain/calendar.ts';
import { dueAt } from '../../shared/domain/deadline.ts';
import { applicant, birthRegistration, idempotent, maritalStatus } from '../support/fixtures.ts';
import { countDynamoCalls } from '../support/sdk-calls.ts';
import { officer, portal, startTestWard, type TestWard } from '../support/ward.ts';

let ward: TestWard;
let sdk: ReturnType<typeof countDynamoCalls>;
beforeAll(async () => {
  ward = await startTestWard();
  sdk = countDynamoCalls(ward);
});
afterAll(async () => {
  await ward?.stop();
});

async function dossierCount(): Promise<number> {
  const scan = await dynamo().send(
    new ScanCommand({
      TableName: ward.resources.tableName,
      FilterExpression: 'entity = :d',
      ExpressionAttributeValues: { ':d': 'dossier' },
      Select: 'COUNT',
    }),
  );
  return scan.Count ?? 0;
}

describe('the procedure catalog', () => {
  it('is public, with at least 20 procedures over at least 5 fields, marked as a sample', async () => {
    const catalog = await ward.api.get('/procedures');
    expect(catalog.status).toBe(200);
    expect(catalog.body.sample).toBe(true);
    expect(catalog.body.procedures.length).toBeGreaterThanOrEqual(20);
    expect(catalog.body.fields.length).toBeGreaterThanOrEqual(5);
  });

  it('filters by field and online level, and shows one procedure with its components', async () => {
    const civil = await ward.api.get('/procedures?field=HOTICH&onlineLevel=full');
    expect(civil.body.procedures.length).toBeGreaterThan(0);
    for (const p of civil.body.procedures) expect(p).toMatchObject({ field: { code: 'HOTICH' }, onlineLevel: 'full' });
    const birth = await ward.api.get('/procedures/1.001193');
    expect(birth.body).toMatchObject({
      name: 'Đăng ký khai sinh',
      processingTime: { amount: 8, unit: 'working_hours' },
    });
    expect(
      birth.body.components.filter((c: { mandatory: boolean }) => c.mandatory).map((c: { code: string }) => c.code),
    ).toEqual(['TK', 'GCS']);
    expect((await ward.api.get('/procedures/9.999999')).status).toBe(404);
    expect((await ward.api.get('/procedures?field=hotich')).status).toBe(400);
  });
});

describe('filing a dossier', () => {
  it('receives a counter dossier at once: code, due date and receipt (form 01), in two DynamoDB round trips (number, then the dossier)', async () => {
    const { result: filed, calls } = await sdk.during(() =>
      ward.api.post('/dossiers', maritalStatus(), { as: officer }),
    );
    expect(filed.status).toBe(201);
    expect(calls).toEqual(['UpdateItemCommand', 'TransactWriteItemsCommand']);
    const receipt = filed.body;
    expect(receipt.code).toMatch(/^000\.00\.00\.H99-\d{6}-\d{4}$/);
    expect(receipt).toMatchObject({
      form: '01',
      status: 'received',
      procedure: { code: '1.004873', name: 'Cấp Giấy xác nhận tình trạng hôn nhân' },
      components: [{ code: 'TK' }],
      channel: 'in_person',
      feeVnd: 15000,
      resultCollection: expect.stringContaining('Bộ phận Một cửa'),
    });
    expect(receipt.lookup.pin).toMatch(/^\d{8}$/);
    expect(Date.parse(receipt.dueAt)).toBeGreaterThan(Date.parse(receipt.receivedAt));
    expect(filed.headers.get('location')).toBe(`/dossiers/${receipt.code}`);
    expect(filed.headers.get('etag')).toMatch(/^"1\./);
  });

  it('dates a certified copy by the cut-off, as the ward’s calendar counts it: the closing of a working day', async () => {
    const copy = maritalStatus({ procedureCode: '2.000815', components: ['BC', 'BS'] });
    const filed = await ward.api.post('/dossiers', copy, { as: officer });
    expect(filed.status).toBe(201);
    const time = { unit: 'same_working_day', cutOff: '15:00' } as const;
    expect((await ward.api.get('/procedures/2.000815')).body.processingTime).toEqual(time);
    const calendar = new WorkingCalendar(calendarSpecOf(readWardFile('sample')));
    const due = Date.parse(filed.body.dueAt);
    expect(due).toBe(dueAt(calendar, Date.parse(filed.body.receivedAt), time));
    expect(due).toBe(calendar.closeOf(calendar.localDate(due)));
  });

  it('keeps an online dossier waiting for the officer, without a due date', async () => {
    const filed = await ward.api.post('/dossiers', birthRegistration(), { as: portal, headers: idempotent() });
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({ status: 'submitted', receivedAt: null, dueAt: null, channel: 'online' });
  });

  it('numbers the day’s dossiers without gaps or repeats under concurrency', async () => {
    const filings = await Promise.all(
      Array.from({ length: 30 }, () => ward.api.post('/dossiers', maritalStatus(), { as: officer })),
    );
    expect(filings.every((f) => f.status === 201)).toBe(true);
    const byDay = new Map<string, number[]>();
    for (const f of filings) {
      const [, day, seq] = /-(\d{6})-(\d{4})$/.exec(f.body.code)!;
      byDay.set(day!, [...(byDay.get(day!) ?? []), Number(seq)]);
    }
    for (const [day, numbers] of byDay) {
      const all = await dynamo().send(
        new QueryCommand({
          TableName: ward.resources.tableName,
          IndexName: 'allByFiled',
          KeyConditionExpression: 'listAll = :all',
          ExpressionAttributeValues: { ':all': 'DOSSIER' },
        }),
      );
      const sequences = (all.Items ?? [])
        .filter((d) => String(d.code).includes(`-${day}-`))
        .map((d) => Number(String(d.code).slice(-4)));
      expect(new Set(numbers).size).toBe(numbers.length);
      expect(sequences.sort((a, b) => a - b)).toEqual(Array.from({ length: sequences.length }, (_, i) => i + 1));
    }
  });

  it('answers an incomplete dossier with its missing components and writes nothing', async () => {
    const before = await dossierCount();
    const incomplete = await ward.api.post('/dossiers', birthRegistration({ components: ['TK'] }), { as: portal });
    expect(incomplete.status).toBe(422);
    expect(incomplete.body.missingComponents).toEqual([{ code: 'GCS', name: 'Giấy chứng sinh hoặc giấy tờ thay thế' }]);
    expect(incomplete.body.detail).toContain('Giấy chứng sinh');
    expect(await dossierCount()).toBe(before);
  });

  it('holds each caller to its channel, the catalog and the fee', async () => {
    const counterOnline = await ward.api.post('/dossiers', maritalStatus({ channel: 'online' }), { as: officer });
    expect(counterOnline.body.errors).toEqual([
      expect.objectContaining({ field: 'channel', rule: 'counter_files_in_person_or_postal' }),
    ]);
    const portalInPerson = await ward.api.post('/dossiers', birthRegistration({ channel: 'in_person' }), {
      as: portal,
    });
    expect(portalInPerson.body.errors).toEqual([
      expect.objectContaining({ field: 'channel', rule: 'portal_files_online' }),
    ]);
    const unknown = await ward.api.post('/dossiers', maritalStatus({ procedureCode: '9.999999' }), { as: officer });
    expect(unknown.body.errors).toEqual([
      expect.objectContaining({ field: 'procedureCode', rule: 'unknown_procedure' }),
    ]);
    const unpaid = await ward.api.post('/dossiers', maritalStatus({ payment: undefined }), { as: officer });
    expect(unpaid.body.errors).toEqual([expect.objectContaining({ field: 'payment', rule: 'payment_required' })]);
    const offline = await ward.api.post(
      '/dossiers',
      {
        ...birthRegistration(),
        procedureCode: '2.000884',
        components: ['GT'],
        payment: { method: 'online', paid: true },
      },
      { as: portal },
    );
    expect(offline.body.errors).toEqual([expect.objectContaining({ field: 'channel', rule: 'no_online_service' })]);
  });
});

describe('Idempotency-Key', () => {
  it('answers a retry with the first answer, PIN included, and creates nothing new', async () => {
    const key = randomUUID();
    const first = await ward.api.post('/dossiers', maritalStatus(), {
      as: officer,
      headers: { 'idempotency-key': key },
    });
    const before = await dossierCount();
    const retry = await ward.api.post('/dossiers', maritalStatus(), {
      as: officer,
      headers: { 'idempotency-key': key },
    });
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await dossierCount()).toBe(before);
    // The PIN of the replayed receipt opens the public lookup.
    const lookup = await ward.api.get(`/public/dossiers/${retry.body.code}?pin=${retry.body.lookup.pin}`);
    expect(lookup.status).toBe(200);
  });

  it('refuses the same key with another body (422) and writes nothing', async () => {
    const key = randomUUID();
    await ward.api.post('/dossiers', maritalStatus(), { as: officer, headers: { 'idempotency-key': key } });
    const before = await dossierCount();
    const other = await ward.api.post('/dossiers', maritalStatus({ components: ['TK', 'BAN'] }), {
      as: officer,
      headers: { 'idempotency-key': key },
    });
    expect(other.status).toBe(422);
    expect(other.body.type).toBe('urn:motcua:problem:unprocessable');
    expect(await dossierCount()).toBe(before);
  });

  it('keeps the keys of two callers apart', async () => {
    const key = randomUUID();
    const mine = await ward.api.post('/dossiers', maritalStatus(), {
      as: officer,
      headers: { 'idempotency-key': key },
    });
    const theirs = await ward.api.post('/dossiers', maritalStatus(), {
      as: { role: 'officer', username: 'other.officer' },
      headers: { 'idempotency-key': key },
    });
    expect(theirs.status).toBe(201);
    expect(theirs.body.code).not.toBe(mine.body.code);
  });

  it('creates one dossier from 1,000 retries of one submission, many at once', { timeout: 180_000 }, async () => {
    const key = randomUUID();
    const before = await dossierCount();
    const body = birthRegistration();
    const answers: { status: number; code: string }[] = [];
    for (let wave = 0; wave < 20; wave++) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, () =>
          ward.api.post('/dossiers', body, { as: portal, headers: { 'idempotency-key': key } }),
        ),
      );
      answers.push(...batch.map((a) => ({ status: a.status, code: a.body.code })));
    }
    expect(answers).toHaveLength(1000);
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([201]));
    expect(new Set(answers.map((a) => a.code)).size).toBe(1);
    expect(await dossierCount()).toBe(before + 1);
  });
});

describe('free text', () => {
  const nfd = (text: string) => text.normalize('NFD');

  it('is stored and returned in NFC, whatever normalisation it was typed in', async () => {
    expect(nfd(applicant.fullName)).not.toBe(applicant.fullName);
    const filed = await ward.api.post(
      '/dossiers',
      maritalStatus({
        applicant: { ...applicant, fullName: nfd(applicant.fullName), address: nfd(applicant.address) },
        note: nfd('Công dân nộp thay\r\ncho mẹ'),
      }),
      { as: officer },
    );
    expect(filed.status).toBe(201);
    expect(filed.body.applicant).toMatchObject({ fullName: applicant.fullName, address: applicant.address });
    const view = await ward.api.get(`/dossiers/${filed.body.code}`, { as: officer });
    expect(view.body.applicant.fullName).toBe(applicant.fullName);
    const history = await ward.api.get(`/dossiers/${filed.body.code}/history`, { as: officer });
    expect(history.body.entries[0].note).toBe('Công dân nộp thay\ncho mẹ');
    // The worklist finds the name typed either way as the same name.
    const list = await ward.api.get('/dossiers?limit=100', { as: officer });
    expect(list.body.items.find((i: { code: string }) => i.code === filed.body.code).applicantName).toBe(
      applicant.fullName,
    );
  });

  it('makes a retry that differs only by normalisation a replay, not a new body', async () => {
    const key = randomUUID();
    const first = await ward.api.post(
      '/dossiers',
      maritalStatus({ applicant: { ...applicant, fullName: nfd(applicant.fullName) } }),
      { as: officer, headers: { 'idempotency-key': key } },
    );
    expect(first.status).toBe(201);
    const retry = await ward.api.post('/dossiers', maritalStatus(), {
      as: officer,
      headers: { 'idempotency-key': key },
    });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.code).toBe(first.body.code);
  });

  it.each([
    [
      'a bidirectional override in a name',
      { applicant: { ...applicant, fullName: 'Nguyễn \u202eLan' } },
      'applicant.fullName',
      'text_format_character',
    ],
    [
      'a zero-width space in an address',
      { applicant: { ...applicant, address: 'Số 12\u200b ngõ 34 Kim Liên' } },
      'applicant.address',
      'text_format_character',
    ],
    [
      'a bell in an address',
      { applicant: { ...applicant, address: 'Số 12 ngõ 34\u0007 Kim Liên' } },
      'applicant.address',
      'text_control_character',
    ],
    [
      'a line break in a name',
      { applicant: { ...applicant, fullName: 'Nguyễn\nLan' } },
      'applicant.fullName',
      'text_line_break',
    ],
    ['a tab in a note', { note: 'Nộp\tthay' }, 'note', 'text_control_character'],
    ['half a surrogate pair in a note', { note: 'Nộp thay \ud800' }, 'note', 'text_unpaired_surrogate'],
    [
      'a NUL in a transaction reference',
      { payment: { method: 'online', paid: true, transactionRef: 'PAY\u0000GOV' } },
      'payment.transactionRef',
      'text_control_character',
    ],
  ])('refuses %s with a 400 naming the field and the rule, writing nothing', async (_, overrides, field, rule) => {
    const before = await dossierCount();
    const refused = await ward.api.post('/dossiers', maritalStatus(overrides), { as: officer });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ in: 'body', field, rule })]);
    expect(refused.body.errors[0].message).not.toBe(rule);
    expect(await dossierCount()).toBe(before);
  });

  it('is held to the same rule in a worklist filter and an upload’s file name', async () => {
    const filter = await ward.api.get(`/dossiers?assignee=${encodeURIComponent('specialist\u202e.42')}`, {
      as: officer,
    });
    expect(filter.status).toBe(400);
    expect(filter.body.errors).toEqual([
      expect.objectContaining({ in: 'query', field: 'assignee', rule: 'text_format_character' }),
    ]);
    const filed = await ward.api.post('/dossiers', maritalStatus(), { as: officer });
    const upload = await ward.api.post(
      `/dossiers/${filed.body.code}/components/TK/upload-url`,
      { fileName: 'to-khai\u202efdp.exe', contentType: 'application/pdf', sizeBytes: 1000, sha256: 'ab'.repeat(32) },
      { as: officer },
    );
    expect(upload.status).toBe(400);
    expect(upload.body.errors).toEqual([expect.objectContaining({ field: 'fileName', rule: 'text_format_character' })]);
  });
});

describe('payment at intake', () => {
  const legalBasis = 'Điểm a khoản 1 Điều 5 Thông tư 85/2019/TT-BTC';

  it('refuses an exemption without its legal basis and an online payment without its transaction (422 naming the rule), writing nothing', async () => {
    const before = await dossierCount();
    for (const [payment, field, rule, as] of [
      [{ method: 'exempt' }, 'payment.legalBasis', 'exemption_legal_basis', officer],
      [{ method: 'exempt', paid: true, legalBasis }, 'payment.paid', 'exemption_not_paid', officer],
      [{ method: 'cash', paid: true, legalBasis }, 'payment.legalBasis', 'legal_basis_only_for_exemption', officer],
      [{ method: 'online', paid: true }, 'payment.transactionRef', 'online_payment_reference', portal],
    ] as const) {
      const body =
        as === portal
          ? birthRegistration({ procedureCode: '1.004873', components: ['TK'], payment })
          : maritalStatus({ payment });
      const refused = await ward.api.post('/dossiers', body, { as, headers: idempotent() });
      expect(refused.status, JSON.stringify(payment)).toBe(422);
      expect(refused.body.errors).toEqual([expect.objectContaining({ in: 'body', field, rule })]);
    }
    expect(await dossierCount()).toBe(before);
  });

  it('checks the payment rules only once every field is valid: field errors are 400s, found together', async () => {
    const refused = await ward.api.post(
      '/dossiers',
      maritalStatus({
        payment: { method: 'exempt' },
        applicant: { ...applicant, phone: '12' },
        components: ['TK', 'NOPE'],
      }),
      { as: officer },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['applicant.phone']);
    const twoFields = await ward.api.post(
      '/dossiers',
      maritalStatus({ payment: { method: 'exempt' }, components: ['TK', 'NOPE'], channel: 'online' }),
      { as: officer },
    );
    expect(twoFields.status).toBe(400);
    expect(twoFields.body.errors.map((e: { rule: string }) => e.rule).sort()).toEqual([
      'counter_files_in_person_or_postal',
      'unknown_component',
    ]);
  });

  it('keeps an exemption’s legal basis on the dossier’s fee and the first control-slip row', async () => {
    const filed = await ward.api.post('/dossiers', maritalStatus({ payment: { method: 'exempt', legalBasis } }), {
      as: officer,
    });
    expect(filed.status).toBe(201);
    const view = await ward.api.get(`/dossiers/${filed.body.code}`, { as: officer });
    expect(view.body.fee).toEqual({ amountVnd: 15000, method: 'exempt', legalBasis });
    expect(view.body.allowedActions).not.toContain('record_payment');
    const history = await ward.api.get(`/dossiers/${filed.body.code}/history`, { as: officer });
    expect(history.body.entries[0]).toMatchObject({ action: 'receive', payment: { method: 'exempt', legalBasis } });
    const online = await ward.api.post(
      '/dossiers',
      birthRegistration({
        procedureCode: '1.004873',
        components: ['TK'],
        payment: { method: 'online', paid: true, transactionRef: 'PAYGOV-9' },
      }),
      { as: portal, headers: idempotent() },
    );
    expect(online.status).toBe(201);
    const onlineHistory = await ward.api.get(`/dossiers/${online.body.code}/history`, { as: officer });
    expect(onlineHistory.body.entries[0].payment).toEqual({
      method: 'online',
      amountVnd: 15000,
      transactionRef: 'PAYGOV-9',
    });
  });
});
