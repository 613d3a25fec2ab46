import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamo, lambda, type sqs } from '../../shared/adapters/aws.ts';
import { asyncTargets } from '../../shared/blueprint/resources.ts';
import { WorkingCalendar } from '../../shared/domain/calendar.ts';
import { addDays, instantAt, localDateOf } from '../../shared/domain/zoned-time.ts';
import { birthRegistration, idempotent, maritalStatus, PDF_BYTES, storedDossier } from '../support/fixtures.ts';
import { jpegFile, pdfFile, pngFile, tiffFile } from '../support/scans.ts';
import { leader, officer, portal, startTestWard, type TestWard } from '../support/ward.ts';

let ward: TestWard;
let portalServer: Server;
const delivered: { path: string; body: any; idempotencyKey: string | undefined }[] = [];

beforeAll(async () => {
  portalServer = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      delivered.push({
        path: request.url ?? '',
        body: JSON.parse(text),
        idempotencyKey: request.headers['idempotency-key'] as string | undefined,
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => portalServer.listen(0, '127.0.0.1', resolve));
  const { port } = portalServer.address() as AddressInfo;
  // Fast retries: the on-failure tests watch a message or an event fail every attempt, moments apart rather than a
  // visibility timeout or Lambda's minutes apart.
  ward = await startTestWard(
    (w) => ({
      ...w,
      portals: [
        { id: 'dvcqg', name: 'Cổng Dịch vụ công quốc gia', statusWebhookUrl: `http://127.0.0.1:${port}/motcua/status` },
      ],
    }),
    {
      queueRetries: 'fast',
      invokeRetries: 'fast',
      // 'counts a replayed stream batch once' hands the aggregator a dossier that is not in the table.
      countersDifferOnPurpose: 'the aggregator is handed a replayed batch of a dossier never written to the table',
      // alert-dispatch as deployed, except that it crashes once after delivering the alerts of a chosen dossier.
      standIns: {
        'alert-dispatch': async (event, context) => {
          const codes = ((event as { alerts?: { code?: string }[] }).alerts ?? []).map((a) => String(a.code));
          const { handler } = await import('../../functions/alert-dispatch/handler.ts');
          const result = await handler(event, context);
          for (const code of codes) dispatchAttempts.set(code, (dispatchAttempts.get(code) ?? 0) + 1);
          const crash = codes.find((code) => dispatchFailures.delete(code));
          if (crash) throw new Error(`alert-dispatch crashed after delivering ${crash}'s alert`);
          return result;
        },
      },
    },
  );
});
/** Dossiers whose next alert-dispatch attempt crashes after delivering; how often alert-dispatch ran for each. */
const dispatchFailures = new Set<string>();
const dispatchAttempts = new Map<string, number>();
afterAll(async () => {
  await ward?.stop();
  await new Promise((resolve) => portalServer?.close(resolve));
});

const table = () => ward.resources.tableName;

/** The calls of one command a client of this process makes while `work` runs (counting, not mocking). */
async function watchCalls<T>(
  client: { middlewareStack: ReturnType<typeof sqs>['middlewareStack'] } | ReturnType<typeof lambda>,
  command: RegExp,
  work: () => Promise<T>,
): Promise<{ result: T; inputs: Record<string, unknown>[] }> {
  const inputs: Record<string, unknown>[] = [];
  const name = `motcuaWatch${randomUUID().slice(0, 8)}`;
  // Any client's stack takes the same middleware; only the input types differ.
  const stack = client.middlewareStack as ReturnType<typeof sqs>['middlewareStack'];
  stack.add(
    (next, ctx) => async (args) => {
      if (command.test(String(ctx.commandName))) inputs.push(args.input as Record<string, unknown>);
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    return { result: await work(), inputs };
  } finally {
    stack.remove(name);
  }
}
async function reportDay(scope: string, date: string) {
  const result = await dynamo().send(
    new GetCommand({ TableName: table(), Key: { pk: `REPORT#${scope}`, sk: `DAY#${date}` } }),
  );
  return result.Item ?? {};
}
const later = (iso: string, days: number) => new Date(Date.parse(iso) + days * 86_400_000).toISOString();
const localDate = (iso: string) => new Date(Date.parse(iso) + 7 * 3_600_000).toISOString().slice(0, 10);

describe('table stream → report aggregator', () => {
  it('counts a dossier received at the counter under the ward, its field and its procedure', async () => {
    const filed = await ward.api.post('/dossiers', maritalStatus(), { as: officer });
    expect(filed.status).toBe(201);
    await ward.settle();
    const date = localDate(filed.body.receivedAt);
    for (const scope of ['ward', 'field#HOTICH', 'procedure#1.004873']) {
      expect(await reportDay(scope, date)).toMatchObject({
        received: 1,
        received_in_person: 1,
        fee_bearing: 1,
        paid: 1,
        received_online_capable: 1,
      });
    }
  });

  it('counts a replayed stream batch once', async () => {
    const receivedAt = '2026-03-02T02:00:00.000Z';
    const dossier = storedDossier('000.00.00.H99-260302-0001', { receivedAt, channel: 'postal' });
    // As the mapping's tumbling window hands it over: naming its shard.
    const event: DynamoDBStreamEvent & { shardId: string } = {
      shardId: `shardId-${randomUUID()}`,
      Records: [
        {
          eventID: randomUUID(),
          eventName: 'INSERT',
          eventSource: 'aws:dynamodb',
          dynamodb: {
            NewImage: marshall(dossier) as never,
            SequenceNumber: '1',
            ApproximateCreationDateTime: Date.parse(receivedAt) / 1000,
          },
        },
      ],
    };
    await ward.invoke('report-aggregator', event);
    await ward.invoke('report-aggregator', event);
    await ward.invoke('report-aggregator', structuredClone(event));
    expect(await reportDay('procedure#1.001193', '2026-03-02')).toMatchObject({ received: 1, received_postal: 1 });
  });
});

describe('day counters → GET /reports', () => {
  it('gives the figures of a period for one procedure: received by channel, online share, on time, fees paid online', async () => {
    const temporaryResidence = { procedureCode: '1.004222', components: ['TK', 'CHO'] };
    const counter = await ward.api.post(
      '/dossiers',
      maritalStatus({ ...temporaryResidence, payment: { method: 'cash', paid: true } }),
      { as: officer },
    );
    const online = await ward.api.post(
      '/dossiers',
      birthRegistration({
        ...temporaryResidence,
        payment: { method: 'online', paid: true, transactionRef: 'PAYGOV-20260302-77' },
      }),
      { as: portal, headers: idempotent() },
    );
    let etag = online.headers.get('etag')!;
    for (const [body, as] of [
      [{ action: 'accept' }, officer],
      [{ action: 'assign', assignee: 'specialist.local' }, leader],
      [{ action: 'submit_for_approval' }, { role: 'specialist' }],
      [{ action: 'approve' }, leader],
    ] as const) {
      const done = await ward.api.post(`/dossiers/${online.body.code}/actions`, body, {
        as,
        headers: { 'if-match': etag },
      });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      etag = done.headers.get('etag')!;
    }
    await ward.settle();
    // From the counter filing's day to the next, in case the test runs across midnight in Viet Nam.
    const day = localDate(counter.body.receivedAt);
    const nextDay = localDate(later(counter.body.receivedAt, 1));
    const report = await ward.api.get(`/reports?from=${day}&to=${nextDay}&procedure=1.004222`, { as: leader });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      scope: 'procedure#1.004222',
      figures: {
        received: 2,
        receivedOnline: 1,
        receivedInPerson: 1,
        receivedPostal: 0,
        notAccepted: 0,
        onlineShare: { numerator: 1, denominator: 2, percent: '50.00%' },
        fullOnlineRate: { percent: '50.00%' },
        resolved: 1,
        early: 1,
        onTimeRate: { percent: '100.00%' },
        digitisationRate: { numerator: 0, denominator: 2, percent: '0.00%' },
        feeBearing: 2,
        paid: 2,
        paidOnline: 1,
        onlinePaymentRate: { percent: '50.00%' },
        feesPaidOnlineVnd: 15000,
      },
    });
    const nothing = await ward.api.get('/reports?from=2020-01-01&to=2020-12-31', { as: leader });
    expect(nothing.body.figures.received).toBe(0);
    expect(nothing.body.figures.onlineShare.percent).toBeNull();
    const backwards = await ward.api.get('/reports?from=2026-03-31&to=2026-01-01', { as: leader });
    expect(backwards.body.errors[0]).toMatchObject({ field: 'to', rule: 'report_period_order' });
  });
});

describe('schedule → deadline watch → asynchronous invocation of alert-dispatch → inbox', () => {
  /** The alerts of one dossier in a role's inbox, as GET /alerts shows them. */
  const alertsOf = async (code: string, role: 'officer' | 'specialist' | 'leader') =>
    (await ward.api.get('/alerts?limit=100', { as: { role } })).body.items.filter(
      (a: { code: string }) => a.code === code,
    );
  const QUARTER_HOUR = 15 * 60_000;
  const HOUR = 3_600_000;
  /** A scheduled event's time has whole seconds: the instants of the runs here do too. */
  const dueOf = (filed: { dueAt: string }) => Math.floor(Date.parse(filed.dueAt) / 1000) * 1000;
  /** The first instant a dossier due at `due` is late, were it ready then: the start of the next day in the ward. */
  const lateFrom = (due: number) => instantAt(addDays(localDateOf(due, ward.ward.timeZone), 1), 0, ward.ward.timeZone);
  /** The alerts of one dossier in the payloads of alert-dispatch invocations: `<kind>@<due at>`, in order. */
  const alertsIn = (inputs: Record<string, unknown>[], code: string) =>
    inputs.flatMap((input) =>
      (
        JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array)).alerts as {
          code: string;
          kind: string;
          dueAt: string;
        }[]
      )
        .filter((alert) => alert.code === code)
        .map((alert) => `${alert.kind}@${alert.dueAt}`),
    );
  /** The watch run at each instant, in turn, and what it handed over for one dossier, in order. */
  async function queuedAt(code: string, instants: number[]): Promise<string[]> {
    const queued: string[] = [];
    for (const at of instants) {
      const { inputs } = await watchCalls(lambda(), /^Invoke/, () => ward.trigger('deadline-watch', new Date(at)));
      queued.push(...alertsIn(inputs, code));
      await ward.settle();
    }
    return queued;
  }
  async function act(dossier: { code: string; etag: string }, body: Record<string, unknown>, as: object) {
    const done = await ward.api.post(`/dossiers/${dossier.code}/actions`, body, {
      as: as as never,
      headers: { 'if-match': dossier.etag },
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    dossier.etag = done.headers.get('etag')!;
    return done.body as { dueAt: string; status: string };
  }
  const fileAtCounter = async () => {
    const filed = await ward.api.post('/dossiers', maritalStatus(), { as: officer });
    expect(filed.status).toBe(201);
    return { code: filed.body.code as string, dueAt: filed.body.dueAt as string, etag: filed.headers.get('etag')! };
  };

  it('raises an overdue dossier’s alert once, however often the watch runs after, and alerts officers and leaders', async () => {
    const filed = await fileAtCounter();
    const afterDue = lateFrom(dueOf(filed)) + HOUR;
    const runs = [afterDue, afterDue + QUARTER_HOUR, afterDue + 2 * QUARTER_HOUR, afterDue + 24 * HOUR];
    expect(await queuedAt(filed.code, runs)).toEqual([`overdue@${filed.dueAt}`]);
    for (const role of ['officer', 'leader'] as const) {
      expect(await alertsOf(filed.code, role)).toEqual([
        expect.objectContaining({
          kind: 'overdue',
          dueAt: filed.dueAt,
          role,
          detectedAt: new Date(afterDue).toISOString(),
        }),
      ]);
    }
    // A specialist's inbox is not among the ward's alert recipients.
    const specialistInbox = await ward.api.get('/alerts', { as: { role: 'specialist' } });
    expect(specialistInbox.body.items).toEqual([]);
  });

  it('raises a due-soon alert once within 24 hours of the due date, then an overdue one once after it', async () => {
    const filed = await fileAtCounter();
    const due = dueOf(filed);
    const runs = [
      due - 36 * HOUR, // not yet within the window
      due - 2 * HOUR,
      due - 2 * HOUR + QUARTER_HOUR,
      due - QUARTER_HOUR,
      due + QUARTER_HOUR,
      due + 2 * QUARTER_HOUR,
      due + 48 * HOUR,
    ];
    expect(await queuedAt(filed.code, runs)).toEqual([`due_soon@${filed.dueAt}`, `overdue@${filed.dueAt}`]);
    for (const role of ['officer', 'leader'] as const) {
      expect(await alertsOf(filed.code, role)).toEqual([
        expect.objectContaining({ kind: 'overdue', detectedAt: new Date(due + 48 * HOUR).toISOString(), role }),
        expect.objectContaining({
          kind: 'due_soon',
          code: filed.code,
          status: 'received',
          dueAt: filed.dueAt,
          procedureName: 'Cấp Giấy xác nhận tình trạng hôn nhân',
          detectedAt: new Date(due - 2 * HOUR).toISOString(),
          role,
        }),
      ]);
    }
  });

  it('calls a dossier overdue when the verdict would call it late: not past the due hour, from the next day', async () => {
    const filed = await fileAtCounter();
    const due = dueOf(filed);
    // Past the due hour on the due date, a result ready now is on time: still due soon, not overdue.
    const runs = [due + QUARTER_HOUR, lateFrom(due) - 1000, lateFrom(due), lateFrom(due) + QUARTER_HOUR];
    expect(await queuedAt(filed.code, runs)).toEqual([`due_soon@${filed.dueAt}`, `overdue@${filed.dueAt}`]);
    expect(await alertsOf(filed.code, 'leader')).toEqual([
      expect.objectContaining({ kind: 'overdue', detectedAt: new Date(lateFrom(due)).toISOString() }),
      expect.objectContaining({ kind: 'due_soon', detectedAt: new Date(due + QUARTER_HOUR).toISOString() }),
    ]);
  });

  it('alerts for the receipt’s due date after an apology, and nothing for the apology’s new date', async () => {
    const filed = await fileAtCounter();
    const due = dueOf(filed);
    const first = await queuedAt(filed.code, [due - 2 * HOUR]);
    const calendar = new WorkingCalendar({
      timeZone: ward.ward.timeZone,
      sessions: ward.ward.officeHours.sessions,
      weekdays: ward.ward.officeHours.weekdays,
      holidayOverrides: ward.ward.holidayOverrides,
    });
    const newDueAt = new Date(calendar.addWorkingMinutes(due, 480)).toISOString();
    const apologized = await act(filed, { action: 'apologize', reason: 'Chờ xác minh liên thông', newDueAt }, leader);
    // The apology sets the citizen's new appointment; the due date, and so what is late, stays.
    expect(apologized.dueAt).toBe(filed.dueAt);
    const newDue = Date.parse(newDueAt);
    const afterwards = await queuedAt(filed.code, [
      due + QUARTER_HOUR,
      lateFrom(due) + QUARTER_HOUR,
      newDue - 2 * HOUR,
      lateFrom(newDue) + QUARTER_HOUR,
    ]);
    expect([...first, ...afterwards]).toEqual([`due_soon@${filed.dueAt}`, `overdue@${filed.dueAt}`]);
  });

  it('raises nothing while a supplement is awaited, then alerts for the due date the handed-in supplement sets', async () => {
    const filed = await fileAtCounter();
    const due = dueOf(filed);
    const first = await queuedAt(filed.code, [due - 2 * HOUR]);
    await act(filed, { action: 'request_supplement', missing: ['Bản sao giấy tờ tùy thân'] }, officer);
    // The clock stopped: past the due date, no overdue alert.
    const waiting = await queuedAt(filed.code, [due + QUARTER_HOUR, due + 24 * HOUR]);
    const resumed = await act(filed, { action: 'supplement_received' }, officer);
    const newDue = Date.parse(resumed.dueAt);
    const afterwards = await queuedAt(filed.code, [
      newDue - 2 * HOUR,
      lateFrom(newDue) + QUARTER_HOUR,
      lateFrom(newDue) + HOUR,
    ]);
    expect({ first, waiting, afterwards }).toEqual({
      first: [`due_soon@${filed.dueAt}`],
      waiting: [],
      afterwards: [`due_soon@${resumed.dueAt}`, `overdue@${resumed.dueAt}`],
    });
  });

  it('raises nothing for a dossier that left the running statuses before its due date', async () => {
    const filed = await fileAtCounter();
    await act(filed, { action: 'withdraw', reason: 'Công dân rút hồ sơ' }, officer);
    const due = dueOf(filed);
    expect(await queuedAt(filed.code, [due - 2 * HOUR, due + QUARTER_HOUR])).toEqual([]);
  });

  it('reads nothing of dossiers it already alerted on: a later run reads only what has become due since', async () => {
    const filed = [];
    for (let i = 0; i < 12; i++) filed.push(await fileAtCounter());
    const pastAll = Math.max(...filed.map((f) => Date.parse(f.dueAt))) + 30 * 24 * HOUR;
    await queuedAt(filed[0]!.code, [pastAll]);
    // Every open dossier of this file is overdue by now and was alerted on: the next run has nothing to read.
    let itemsRead = 0;
    const name = `motcuaReads${randomUUID().slice(0, 8)}`;
    dynamo().middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const output = result.output as { ScannedCount?: number; Responses?: Record<string, unknown[]> };
        itemsRead += (output.ScannedCount ?? 0) + Object.values(output.Responses ?? {}).flat().length;
        return result;
      },
      { step: 'initialize', name },
    );
    try {
      const next = await ward.withPollersPaused(() => ward.trigger('deadline-watch', new Date(pastAll + QUARTER_HOUR)));
      expect(next).toEqual({ dueSoon: 0, overdue: 0 });
    } finally {
      dynamo().middlewareStack.remove(name);
    }
    expect(itemsRead).toBe(0);
  });

  it('delivers an alert once across overlapping watch runs, a watch run retried and a retried alert-dispatch', async () => {
    const filed = await fileAtCounter();
    const afterDue = lateFrom(dueOf(filed)) + HOUR;
    // alert-dispatch fails its first attempt after delivering (a crash before it returned): Lambda tries again.
    dispatchFailures.add(filed.code);
    const { inputs } = await watchCalls(lambda(), /^Invoke/, async () => {
      // Two runs at once (a slow run overlapping the next), then EventBridge's retry of the same run.
      await Promise.all([
        ward.trigger('deadline-watch', new Date(afterDue)),
        ward.trigger('deadline-watch', new Date(afterDue)),
      ]);
      await ward.trigger('deadline-watch', new Date(afterDue));
    });
    await ward.settle();
    // Both overlapping runs may have read the schedule before either moved it on: handed over once or twice.
    expect(alertsIn(inputs, filed.code).length).toBeGreaterThanOrEqual(1);
    expect(dispatchAttempts.get(filed.code)).toBeGreaterThanOrEqual(2);
    // The inbox items themselves (GET /alerts would show a duplicate once).
    for (const role of ['officer', 'leader'] as const) {
      const inbox = await dynamo().send(
        new QueryCommand({
          TableName: table(),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `INBOX#${role}` },
          ConsistentRead: true,
        }),
      );
      expect(inbox.Items!.filter((item) => item.code === filed.code).map((item) => item.kind)).toEqual(['overdue']);
    }
    expect(await ward.trigger('deadline-watch', new Date(afterDue + QUARTER_HOUR))).toEqual({
      dueSoon: 0,
      overdue: 0,
    });
  });

  it('keeps the alert schedule where it was when Lambda refuses the invocation, and raises the alert next run', async () => {
    const filed = await fileAtCounter();
    const afterDue = lateFrom(dueOf(filed)) + HOUR;
    const name = `motcuaThrottle${randomUUID().slice(0, 8)}`;
    // Lambda throttling the invoke (TooManyRequestsException): a fault the local services cannot produce.
    lambda().middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
      },
      { step: 'initialize', name },
    );
    try {
      await expect(ward.trigger('deadline-watch', new Date(afterDue))).rejects.toThrow(/Rate exceeded/);
    } finally {
      lambda().middlewareStack.remove(name);
    }
    const schedule = await dynamo().send(
      new GetCommand({ TableName: table(), Key: { pk: `ALERT#${filed.code}`, sk: 'SCHEDULE' }, ConsistentRead: true }),
    );
    expect(schedule.Item).toMatchObject({ alertLevel: 'due_soon' });
    expect(await queuedAt(filed.code, [afterDue + QUARTER_HOUR])).toEqual([`overdue@${filed.dueAt}`]);
    expect(await alertsOf(filed.code, 'officer')).toHaveLength(1);
  });

  it('puts an event alert-dispatch cannot handle on the invoke-failures queue after its three attempts', async () => {
    const payload = { alerts: [{ kind: 'nonsense' }] };
    ward.invocations.accept('alert-dispatch', payload);
    const failures = ward.resources.queueUrls.invokeFailures.split('/').at(-1)!;
    const deadline = Date.now() + 30_000;
    while ((ward.fauxqs.inspectQueue(failures)?.messages.ready.length ?? 0) === 0) {
      if (Date.now() > deadline) throw new Error('the event never reached the on-failure queue');
      await new Promise((r) => setTimeout(r, 250));
    }
    const [message] = ward.fauxqs.inspectQueue(failures)!.messages.ready;
    expect(JSON.parse(message!.body)).toMatchObject({
      version: '1.0',
      requestContext: {
        condition: 'RetriesExhausted',
        approximateInvokeCount: asyncTargets['alert-dispatch'].retryAttempts + 1,
        functionArn: expect.stringMatching(/:function:.+-alert-dispatch:\$LATEST$/),
      },
      requestPayload: payload,
      responseContext: { functionError: 'Unhandled' },
      responsePayload: { errorType: 'ZodError' },
    });
  });
});

describe('upload URL → S3 → notification → document check', () => {
  const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  const uploadRecord = async (code: string, uploadId: string) =>
    (
      await dynamo().send(
        new GetCommand({
          TableName: table(),
          Key: { pk: `DOSSIER#${code}`, sk: `UPLOAD#${uploadId}` },
          ConsistentRead: true,
        }),
      )
    ).Item;
  const dossierItem = async (code: string) =>
    (
      await dynamo().send(
        new GetCommand({ TableName: table(), Key: { pk: `DOSSIER#${code}`, sk: 'DOSSIER' }, ConsistentRead: true }),
      )
    ).Item!;
  const stored = (key: string) =>
    ward.clients.s3.send(new HeadObjectCommand({ Bucket: ward.resources.bucketName, Key: key })).then(
      () => true,
      () => false,
    );
  const component = async (code: string, componentCode: string) =>
    (await ward.api.get(`/dossiers/${code}`, { as: officer })).body.components.find(
      (c: { code: string }) => c.code === componentCode,
    );
  /** Asks for an upload URL declaring `declared` (by default, exactly `file` as a PDF). */
  const askUpload = (code: string, componentCode: string, file: Buffer, declared: Record<string, unknown> = {}) =>
    ward.api.post(
      `/dossiers/${code}/components/${componentCode}/upload-url`,
      {
        fileName: 'Giấy chứng sinh.pdf',
        contentType: 'application/pdf',
        sizeBytes: file.length,
        sha256: sha256Of(file),
        ...declared,
      },
      { as: portal },
    );

  it('signs the declared size, type and SHA-256 into the URL, and no checksum of an empty body', async () => {
    const filed = await ward.api.post('/dossiers', birthRegistration(), { as: portal, headers: idempotent() });
    const ticket = await askUpload(filed.body.code, 'GCS', PDF_BYTES);
    expect(ticket.status).toBe(201);
    const url = new URL(ticket.body.url);
    expect(url.searchParams.get('X-Amz-SignedHeaders')!.split(';')).toEqual(
      expect.arrayContaining(['content-length', 'content-type', 'host', 'x-amz-checksum-sha256']),
    );
    expect([...url.searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
    expect(ticket.body.headers).toEqual({
      'content-type': 'application/pdf',
      'content-length': String(PDF_BYTES.length),
      'x-amz-checksum-sha256': createHash('sha256').update(PDF_BYTES).digest('base64'),
    });
  });

  it('verifies the declared file uploaded through its URL: the component is digitised and the file kept', async () => {
    const filed = await ward.api.post('/dossiers', birthRegistration(), { as: portal, headers: idempotent() });
    const code = filed.body.code as string;
    const ticket = await askUpload(code, 'GCS', PDF_BYTES);
    expect(ticket.body.key).toMatch(
      new RegExp(`^dossiers/${code.replace(/\./g, '\\.')}/components/GCS/${ticket.body.uploadId}-Giay_chung_sinh.pdf$`),
    );
    const put = await fetch(ticket.body.url, { method: 'PUT', headers: ticket.body.headers, body: PDF_BYTES });
    expect(put.status).toBe(200);
    await ward.settle();
    expect((await component(code, 'GCS')).document).toMatchObject({
      key: ticket.body.key,
      contentType: 'application/pdf',
      sizeBytes: PDF_BYTES.length,
      sha256: sha256Of(PDF_BYTES),
    });
    expect(await uploadRecord(code, ticket.body.uploadId)).toMatchObject({
      state: 'verified',
      contentType: 'application/pdf',
      expected: { contentType: 'application/pdf', sizeBytes: PDF_BYTES.length, sha256: sha256Of(PDF_BYTES) },
      requestedBy: { kind: 'portal', id: 'dvcqg' },
      object: { sizeBytes: PDF_BYTES.length, sha256: sha256Of(PDF_BYTES) },
    });
    expect((await uploadRecord(code, ticket.body.uploadId))!.expiresAt).toBeUndefined();
    expect(await stored(ticket.body.key)).toBe(true);
  });

  it.each([
    {
      file: 'a PDF with a cross-reference stream',
      contentType: 'application/pdf',
      bytes: pdfFile({ xrefStream: true }),
    },
    { file: 'a JPEG', contentType: 'image/jpeg', bytes: jpegFile() },
    { file: 'a PNG', contentType: 'image/png', bytes: pngFile() },
    { file: 'a TIFF', contentType: 'image/tiff', bytes: tiffFile() },
  ])('verifies $file made in the test, uploaded through its URL', async ({ contentType, bytes }) => {
    const filed = await ward.api.post('/dossiers', birthRegistration(), { as: portal, headers: idempotent() });
    const code = filed.body.code as string;
    const ticket = await askUpload(code, 'GCS', bytes, { contentType });
    const put = await fetch(ticket.body.url, { method: 'PUT', headers: ticket.body.headers, body: bytes });
    expect(put.status).toBe(200);
    await ward.settle();
    expect(await uploadRecord(code, ticket.body.uploadId)).toMatchObject({ state: 'verified', contentType });
    expect((await component(code, 'GCS')).document).toMatchObject({ contentType, sha256: sha256Of(bytes) });
    expect(await stored(ticket.body.key)).toBe(true);
  });

  const text = Buffer.from('hello, this is not a scan at all\n');
  // A PDF's header and trailer, without the cross-reference section a reader starts from.
  const fakePdf = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  const otherPdf = Buffer.from(PDF_BYTES.toString('latin1').replace('Catalog', 'Catalof'), 'latin1');
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40, 1)]);
  // fauxqs enforces no signature, so these reach the bucket; S3 itself would refuse the first two at the PUT.
  it.each([
    {
      file: 'a file of another size than declared',
      declared: PDF_BYTES,
      body: Buffer.concat([PDF_BYTES, text]),
      reason: 'size_mismatch',
    },
    {
      file: 'a file whose bytes do not match the declared SHA-256',
      declared: PDF_BYTES,
      body: otherPdf,
      reason: 'checksum_mismatch',
    },
    { file: 'a text file declared as a PDF', declared: text, body: text, reason: 'unsupported_type' },
    { file: 'a PNG declared as a PDF', declared: png, body: png, reason: 'type_mismatch' },
    {
      file: 'a file that starts like a PDF but is not one',
      declared: fakePdf,
      body: fakePdf,
      reason: 'malformed',
      defect: { code: 'pdf_no_startxref' },
    },
    {
      file: 'a PDF cut short',
      declared: PDF_BYTES.subarray(0, 200),
      body: PDF_BYTES.subarray(0, 200),
      reason: 'malformed',
      defect: { code: 'pdf_no_eof' },
    },
    {
      file: 'a PNG whose header’s CRC is wrong',
      contentType: 'image/png',
      declared: pngFile({ headerCrc: 0 }),
      body: pngFile({ headerCrc: 0 }),
      reason: 'malformed',
      defect: { code: 'png_header_crc' },
    },
    {
      file: 'a JPEG without a frame header',
      contentType: 'image/jpeg',
      declared: jpegFile({ frame: false }),
      body: jpegFile({ frame: false }),
      reason: 'malformed',
      defect: { code: 'jpeg_no_frame' },
    },
  ] as { file: string; contentType?: string; declared: Buffer; body: Buffer; reason: string; defect?: object }[])(
    'refuses $file: deleted, its reason in its own record, the component not digitised',
    async ({ contentType = 'application/pdf', declared, body, reason, defect }) => {
      expect(otherPdf.length).toBe(PDF_BYTES.length);
      const filed = await ward.api.post('/dossiers', birthRegistration(), { as: portal, headers: idempotent() });
      const code = filed.body.code as string;
      const ticket = await askUpload(code, 'GCS', declared, { contentType });
      expect(ticket.status).toBe(201);
      // A client sets Content-Length from the body it sends.
      const { 'content-length': _length, ...headers } = ticket.body.headers;
      const put = await fetch(ticket.body.url, { method: 'PUT', headers, body });
      expect(put.status).toBe(200);
      await ward.settle();
      expect(await uploadRecord(code, ticket.body.uploadId)).toMatchObject({
        state: 'rejected',
        reason,
        object: { sizeBytes: body.length },
        ...(defect ? { defect } : {}),
      });
      expect(await stored(ticket.body.key)).toBe(false);
      expect((await component(code, 'GCS')).document).toBeUndefined();
      expect(await dossierItem(code)).not.toHaveProperty('rejectedDocuments');
    },
  );

  it('shows no rejectedDocuments list on a dossier that still carries one from before upload records', async () => {
    const filed = await ward.api.post('/dossiers', birthRegistration(), { as: portal, headers: idempotent() });
    const code = filed.body.code as string;
    // Older items kept refused uploads on the dossier; their reasons now live in each upload's own record.
    const legacy = [{ key: `dossiers/${code}/components/GCS/a.pdf`, componentCode: 'GCS', reason: 'unsupported_type' }];
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: `DOSSIER#${code}`, sk: 'DOSSIER' },
        UpdateExpression: 'SET rejectedDocuments = :legacy',
        ExpressionAttributeValues: { ':legacy': legacy },
      }),
    );
    // ward.api checks the answer against the documented Dossier view: an undocumented field fails it.
    const read = await ward.api.get(`/dossiers/${code}`, { as: officer });
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('rejectedDocuments');
    expect(read.body).toMatchObject({ code, processingMinutes: 480, applicantDetail: 'full' });
  });

  it('deletes an object that no upload URL was signed for, and leaves the component undigitised', async () => {
    const filed = await ward.api.post('/dossiers', birthRegistration(), { as: portal, headers: idempotent() });
    const code = filed.body.code as string;
    const keys = [
      `dossiers/${code}/components/TK/${randomUUID()}-to khai.pdf`,
      `dossiers/${code}/components/TK/to khai.pdf`,
    ];
    for (const key of keys)
      await ward.clients.s3.send(
        new PutObjectCommand({ Bucket: ward.resources.bucketName, Key: key, Body: PDF_BYTES }),
      );
    await ward.settle();
    for (const key of keys) expect(await stored(key), key).toBe(false);
    expect((await component(code, 'TK')).document).toBeUndefined();
  });

  it('keeps one record however often one URL is used: the dossier item does not grow and actions on it still work', async () => {
    const filed = await ward.api.post('/dossiers', birthRegistration(), { as: portal, headers: idempotent() });
    const code = filed.body.code as string;
    const ticket = await askUpload(code, 'GCS', text);
    const sizeBefore = JSON.stringify(await dossierItem(code)).length;
    const { 'content-length': _length, ...headers } = ticket.body.headers;
    const uses = 300;
    for (let i = 0; i < uses; i++) {
      const put = await fetch(ticket.body.url, { method: 'PUT', headers, body: text });
      expect(put.status).toBe(200);
    }
    await ward.settle(120_000);
    expect(JSON.stringify(await dossierItem(code)).length).toBe(sizeBefore);
    const record = await uploadRecord(code, ticket.body.uploadId);
    // The first upload used the URL and was refused for what it is; every later one only as late.
    expect(record).toMatchObject({
      state: 'rejected',
      reason: 'unsupported_type',
      lateUpload: { reason: 'ticket_used' },
    });
    expect(await stored(ticket.body.key)).toBe(false);
    const read = await ward.api.get(`/dossiers/${code}`, { as: officer });
    const accepted = await ward.api.post(
      `/dossiers/${code}/actions`,
      { action: 'accept' },
      { as: officer, headers: { 'if-match': read.headers.get('etag')! } },
    );
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  }, 180_000);

  it('refuses a component the dossier does not have, another portal’s dossier, and a malformed SHA-256', async () => {
    const filed = await ward.api.post('/dossiers', maritalStatus(), { as: officer });
    const request = { fileName: 'a.pdf', contentType: 'application/pdf', sizeBytes: 1000, sha256: 'ab'.repeat(32) };
    const unknown = await ward.api.post(`/dossiers/${filed.body.code}/components/XYZ/upload-url`, request, {
      as: officer,
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.components).toEqual(['TK']);
    expect(
      (await ward.api.post(`/dossiers/${filed.body.code}/components/TK/upload-url`, request, { as: portal })).status,
    ).toBe(404);
    const tooLarge = await ward.api.post(
      `/dossiers/${filed.body.code}/components/TK/upload-url`,
      { ...request, sizeBytes: 50 * 1024 * 1024 },
      { as: officer },
    );
    expect(tooLarge.body.errors[0]).toMatchObject({ field: 'sizeBytes', rule: 'too_big' });
    for (const sha256 of ['ab'.repeat(31), 'zz'.repeat(32), undefined]) {
      const bad = await ward.api.post(
        `/dossiers/${filed.body.code}/components/TK/upload-url`,
        { ...request, sha256 },
        { as: officer },
      );
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]).toMatchObject({ field: 'sha256' });
    }
    const hexRule = await ward.api.post(
      `/dossiers/${filed.body.code}/components/TK/upload-url`,
      { ...request, sha256: 'x' },
      { as: officer },
    );
    expect(hexRule.body.errors[0]).toMatchObject({
      field: 'sha256',
      rule: 'sha256_hex',
      message: expect.stringContaining('SHA-256'),
    });
  });
});

describe('status change → stream → FIFO queue → portal webhook', () => {
  it('sends the portal each new status of its dossier, in order, once', async () => {
    const filed = await ward.api.post('/dossiers', birthRegistration(), { as: portal, headers: idempotent() });
    const code = filed.body.code as string;
    const accepted = await ward.api.post(
      `/dossiers/${code}/actions`,
      { action: 'accept' },
      { as: officer, headers: { 'if-match': filed.headers.get('etag')! } },
    );
    expect(accepted.status).toBe(200);
    const assigned = await ward.api.post(
      `/dossiers/${code}/actions`,
      { action: 'assign', department: 'Tư pháp – Hộ tịch' },
      { as: leader, headers: { 'if-match': accepted.headers.get('etag')! } },
    );
    expect(assigned.status).toBe(200);
    await ward.settle();
    const forDossier = delivered.filter((d) => d.body.code === code);
    expect(forDossier.map((d) => [d.body.status, d.body.version])).toEqual([
      ['submitted', 1],
      ['received', 2],
      ['in_progress', 3],
    ]);
    expect(forDossier[0]).toMatchObject({
      path: '/motcua/status',
      idempotencyKey: `${code}#1`,
      body: { event: 'dossier.status_changed', portalId: 'dvcqg' },
    });
  });
});
