import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AWS, localCredentials } from '../../local/services.ts';
import { NoticeInFlight } from '../../shared/adapters/alert-notifier.ts';
import { deliverAlert } from '../../shared/adapters/alert-store.ts';
import { dynamo, sns } from '../../shared/adapters/aws.ts';
import { wardTime } from '../../shared/domain/alert-text.ts';
import { addDays, instantAt, localDateOf } from '../../shared/domain/zoned-time.ts';
import type { AlertMessage } from '../../shared/events.ts';
import { applicant, maritalStatus } from '../support/fixtures.ts';
import { seedDossier } from '../support/seed.ts';
import { leader, officer, startTestWard, type TestWard } from '../support/ward.ts';

const HOUR = 3_600_000;
const QUARTER_HOUR = 15 * 60_000;
const ZONE = 'Asia/Ho_Chi_Minh';

/** The day of the digest test: far from today, so the dossiers seeded for it are the only ones due around it. */
const DIGEST_DAY = addDays(localDateOf(Date.now(), ZONE), 400);
let clockNow = instantAt(DIGEST_DAY, 6 * 60 + 58, ZONE);

let ward: TestWard;
let dataDir: string;
let probe: { url: string; published: Published[] };
let snsClient: SNSClient;

/** A message of the alerts topic, as an SQS subscription of the test's own receives it. */
interface Published {
  subject: string;
  message: string;
  attributes: Record<string, string>;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'motcua-notices-'));
  ward = await startTestWard((w) => w, { dataDir, clock: () => clockNow });
  snsClient = new SNSClient({ region: LOCAL_AWS.region, credentials: localCredentials, endpoint: ward.fauxqs.address });
  // The test's own subscriber: every message the topic gets, counted.
  const url = (await ward.clients.sqs.send(new CreateQueueCommand({ QueueName: `probe-${randomUUID().slice(0, 8)}` })))
    .QueueUrl!;
  const arn = (
    await ward.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))
  ).Attributes!.QueueArn!;
  await snsClient.send(new SubscribeCommand({ TopicArn: ward.topicArns.alerts, Protocol: 'sqs', Endpoint: arn }));
  probe = { url, published: [] };
});
afterAll(async () => {
  snsClient?.destroy();
  await ward?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Everything the topic published so far (SNS to SQS delivery is immediate in fauxqs). */
async function published(): Promise<Published[]> {
  for (let round = 0; round < 20; round++) {
    const got = await ward.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: probe.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!got.Messages?.length) break;
    for (const m of got.Messages) {
      const body = JSON.parse(m.Body!) as {
        Subject: string;
        Message: string;
        MessageAttributes?: Record<string, { Value: string }>;
      };
      probe.published.push({
        subject: body.Subject,
        message: body.Message,
        attributes: Object.fromEntries(Object.entries(body.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value])),
      });
      await ward.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: probe.url, ReceiptHandle: m.ReceiptHandle }));
    }
  }
  return probe.published;
}

/** The alert notices the topic published for one dossier: `<kind>` per message. */
async function noticesOf(code: string): Promise<string[]> {
  return (await published())
    .filter((p) => p.attributes.notice === 'alert' && p.message.includes(`Mã hồ sơ: ${code}\n`))
    .map((p) => (p.subject.startsWith('[Quá hạn]') ? 'overdue' : 'due_soon'));
}

async function act(dossier: { code: string; etag: string }, body: Record<string, unknown>, as: object) {
  const done = await ward.api.post(`/dossiers/${dossier.code}/actions`, body, {
    as: as as never,
    headers: { 'if-match': dossier.etag },
  });
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  dossier.etag = done.headers.get('etag')!;
}

async function fileAssigned() {
  const filed = await ward.api.post('/dossiers', maritalStatus(), { as: officer });
  expect(filed.status).toBe(201);
  const dossier = {
    code: filed.body.code as string,
    dueAt: filed.body.dueAt as string,
    etag: filed.headers.get('etag')!,
  };
  await act(dossier, { action: 'assign', assignee: 'specialist.local', department: 'Tư pháp – Hộ tịch' }, leader);
  return dossier;
}

let sequence = 9000;
/** A received dossier put straight into the table, due when the test says. */
const seed = (dueAt: number) =>
  seedDossier(ward, maritalStatus(), {
    receivedAt: new Date(dueAt - 30 * 24 * HOUR).toISOString(),
    sequence: sequence++,
    dueAt: new Date(dueAt).toISOString(),
  });

const alertOf = (code: string, dueAt: string, kind: AlertMessage['kind'] = 'overdue'): AlertMessage => ({
  kind,
  code,
  status: 'received',
  dueAt,
  procedureName: 'Cấp Giấy xác nhận tình trạng hôn nhân',
  detectedAt: new Date(Date.parse(dueAt) + HOUR).toISOString(),
});
const deliver = (alert: AlertMessage) =>
  ward.runAs('alert-dispatch', () => deliverAlert(alert, ward.ward.alerts.recipientRoles));

/** The .eml files written for one dossier's alerts, or for the digest: the address each went to, and its text. */
function mails(match: (eml: string) => boolean): { to: string; subject: string; eml: string }[] {
  const dir = join(dataDir, 'mail');
  return readdirSync(dir)
    .map((file) => readFileSync(join(dir, file), 'utf8'))
    .filter(match)
    .map((eml) => {
      const head = eml.slice(0, eml.indexOf('\r\n\r\n')).replace(/\r\n /g, ' ');
      const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(head)?.[1] ?? '';
      const subject = header('Subject').replace(/=\?UTF-8\?B\?([^?]*)\?=\s?/g, (_, b64: string) =>
        Buffer.from(b64, 'base64').toString('utf8'),
      );
      return { to: header('To'), subject, eml };
    });
}

describe('deadline alerts by e-mail, through the alerts topic', () => {
  it('publishes each alert once per level and due date, however often the watch raises it', async () => {
    const dossier = await fileAssigned();
    const due = Math.floor(Date.parse(dossier.dueAt) / 1000) * 1000;
    for (const at of [due - 2 * HOUR, due - 2 * HOUR + QUARTER_HOUR, due + QUARTER_HOUR, due + HOUR, due + 24 * HOUR]) {
      await ward.trigger('deadline-watch', new Date(at));
      await ward.settle();
    }
    expect(await noticesOf(dossier.code)).toEqual(['due_soon', 'overdue']);
  });

  it('writes each alert locally as an .eml file to the ward’s addresses and the assignee’s, in Vietnamese, no ID or phone', async () => {
    const dossier = await fileAssigned();
    const due = Math.floor(Date.parse(dossier.dueAt) / 1000) * 1000;
    for (const at of [due - 2 * HOUR, due + 24 * HOUR]) {
      await ward.trigger('deadline-watch', new Date(at));
      await ward.settle();
    }
    const sent = mails((eml) => eml.includes(`Mã hồ sơ: ${dossier.code}\r\n`));
    // The ward's address and the assignee's (specialist.local); not the officer's, whose dossier it is not.
    expect(sent.map((m) => `${m.to} ${m.subject.slice(0, m.subject.indexOf(']') + 1)}`).sort()).toEqual([
      'lanhdao@phuongmau.example.gov.vn [Quá hạn]',
      'lanhdao@phuongmau.example.gov.vn [Sắp đến hạn]',
      'tuan.pm@phuongmau.example.gov.vn [Quá hạn]',
      'tuan.pm@phuongmau.example.gov.vn [Sắp đến hạn]',
    ]);
    const overdue = sent.find((m) => m.subject.startsWith('[Quá hạn]'))!;
    expect(overdue.subject).toBe(`[Quá hạn] Hồ sơ ${dossier.code}: Cấp Giấy xác nhận tình trạng hôn nhân`);
    // RFC 5322 with an RFC 2047 subject: ASCII headers, each encoded word at most 75 characters.
    const head = overdue.eml.slice(0, overdue.eml.indexOf('\r\n\r\n'));
    expect(head).toMatch(/^[\x20-\x7e\r\n]*$/);
    expect(head).toMatch(/^Subject: =\?UTF-8\?B\?/m);
    for (const word of head.match(/=\?UTF-8\?B\?[^?]*\?=/g)!) expect(word.length).toBeLessThanOrEqual(75);
    expect(head).toMatch(/^Content-Type: text\/plain; charset=UTF-8$/m);
    expect(head).toMatch(/^Date: /m);
    expect(head).toMatch(/^Message-ID: <.+>$/m);
    const body = overdue.eml.slice(head.length + 4);
    expect(body).toContain(`Người nộp: ${applicant.fullName}\r\n`);
    expect(body).toContain('Người xử lý: Phạm Minh Tuấn (Tư pháp – Hộ tịch)\r\n');
    expect(body).toContain(`Hạn giải quyết: ${wardTime(dossier.dueAt, ZONE)}\r\n`);
    expect(body).toMatch(/Đã quá hạn: (\d+ (ngày|giờ|phút) ?)+ làm việc\r\n/);
    expect(body).toContain('Mẫu số 04');
    for (const secret of [applicant.idNumber, applicant.phone, applicant.address])
      expect(overdue.eml).not.toContain(secret);
    const soon = sent.find((m) => m.subject.startsWith('[Sắp đến hạn]'))!;
    expect(soon.eml).toMatch(/Còn lại: .* làm việc\r\n/);
    expect(soon.eml).not.toContain('Mẫu số 04');
  });

  it('publishes an alert once across overlapping and retried deliveries of it', async () => {
    const dossier = await seed(Date.now() - 10 * 24 * HOUR);
    const alert = alertOf(dossier.code, dossier.dueAt!);
    const first = await Promise.allSettled(Array.from({ length: 6 }, () => deliver(alert)));
    // One wrote the marker; a copy that found its notice in flight failed, to be tried again, as a queue retries it.
    expect(first.filter((r) => r.status === 'fulfilled' && r.value === true)).toHaveLength(1);
    for (const r of first) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(NoticeInFlight);
    for (let i = 0; i < first.filter((r) => r.status === 'rejected').length + 2; i++) {
      expect(await deliver(alert)).toBe(false);
    }
    expect(await noticesOf(dossier.code)).toEqual(['overdue']);
  });

  it('retries a publish that failed and loses nothing: the notice goes out once, on the retry', async () => {
    const dossier = await seed(Date.now() - 9 * 24 * HOUR);
    const alert = alertOf(dossier.code, dossier.dueAt!);
    // The fault SNS cannot be asked for: the first publish of this dossier's notice fails, on the real client.
    let failures = 0;
    const name = `motcuaFailPublish${randomUUID().slice(0, 8)}`;
    sns().middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Message?: string };
        if (context.commandName === 'PublishCommand' && input.Message?.includes(dossier.code) && failures === 0) {
          failures++;
          throw Object.assign(new Error('SNS is unavailable'), { name: 'InternalErrorException', $fault: 'server' });
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      await expect(deliver(alert)).rejects.toThrow('SNS is unavailable');
      expect(await noticesOf(dossier.code)).toEqual([]);
      // The retry finds the marker (the inbox has the alert already) and the notice still pending.
      expect(await deliver(alert)).toBe(false);
      expect(await deliver(alert)).toBe(false);
    } finally {
      sns().middlewareStack.remove(name);
    }
    expect(failures).toBe(1);
    expect(await noticesOf(dossier.code)).toEqual(['overdue']);
    const inbox = await ward.api.get('/alerts?limit=100', { as: leader });
    expect(inbox.body.items.filter((a: { code: string }) => a.code === dossier.code)).toHaveLength(1);
  });
});

describe('the leaders’ digest at 7:00 ward time', () => {
  it('runs at 7:00 on the injected clock and not at 6:59, once, and lists the day’s dossiers by department', async () => {
    const seven = instantAt(DIGEST_DAY, 7 * 60, ZONE);
    const overdue = await seed(seven - 20 * HOUR);
    const today = await seed(seven + 8 * HOUR);
    const soon = await seed(seven + 23 * HOUR);
    const later = await seed(seven + 50 * HOUR);
    // One of them with a department: the digest groups by it.
    await dynamo().send(
      new UpdateCommand({
        TableName: ward.resources.tableName,
        Key: { pk: `DOSSIER#${today.code}`, sk: 'DOSSIER' },
        UpdateExpression: 'SET department = :d, assignee = :a',
        ExpressionAttributeValues: { ':d': 'Tư pháp – Hộ tịch', ':a': 'specialist.local' },
      }),
    );
    const digests = async () => (await published()).filter((p) => p.attributes.notice === 'digest');
    const before = (await digests()).length;

    clockNow = seven - 1000;
    expect(await ward.runDueSchedules()).toEqual([]);
    expect(await digests()).toHaveLength(before);

    clockNow = seven;
    expect(await ward.runDueSchedules()).toEqual([{ name: 'deadline-digest', at: new Date(seven).toISOString() }]);
    clockNow = seven + 30_000;
    expect(await ward.runDueSchedules()).toEqual([]);
    await ward.settle();
    const all = await digests();
    expect(all).toHaveLength(before + 1);
    const digest = all.at(-1)!;
    expect(digest.subject).toMatch(
      /^\[Tổng hợp \d{2}\/\d{2}\/\d{4}\] Quá hạn \d+, đến hạn hôm nay \d+, sắp đến hạn \d+$/,
    );
    /** The codes listed in a department's group: its lines after the department's, under the group's title. */
    const codesUnder = (department: string, group: string) => {
      const codes: string[] = [];
      let inDepartment = false;
      let inGroup = false;
      for (const line of digest.message.split('\n')) {
        if (!line.startsWith(' ')) inDepartment = line.startsWith(`${department} (`);
        else if (/^ {2}\S/.test(line)) inGroup = line === `  ${group}:`;
        else if (inDepartment && inGroup) codes.push(line.split(' · ')[0]!.replace(/^ {4}- /, ''));
      }
      return codes;
    };
    expect(codesUnder('Chưa phân công', 'Quá hạn')).toContain(overdue.code);
    expect(codesUnder('Chưa phân công', 'Sắp đến hạn')).toContain(soon.code);
    expect(codesUnder('Tư pháp – Hộ tịch', 'Đến hạn hôm nay')).toEqual([today.code]);
    expect(digest.message).not.toContain(later.code);
    expect(digest.message).not.toContain(applicant.idNumber);
    // To the ward's addresses only: a member's subscription lets only their own alerts through.
    const written = mails((eml) => eml.includes(today.code) && /^Subject: /m.test(eml) && !eml.includes('Mã hồ sơ:'));
    expect(written.map((m) => m.to)).toEqual(['lanhdao@phuongmau.example.gov.vn']);
  });
});

describe('GET /deadlines', () => {
  it('gives leaders and officers the digest now: an overdue dossier under its department, the applicant by name only', async () => {
    const late = await seed(Date.now() - 3 * 24 * HOUR);
    const far = await seed(Date.now() + 40 * 24 * HOUR);
    for (const as of [leader, officer]) {
      const response = await ward.api.get('/deadlines', { as });
      expect(response.status).toBe(200);
      const unassigned = response.body.departments.find(
        (d: { department: string }) => d.department === 'Chưa phân công',
      );
      expect(unassigned.overdue).toContainEqual({
        code: late.code,
        procedureName: 'Cấp Giấy xác nhận tình trạng hôn nhân',
        applicantName: applicant.fullName,
        dueAt: late.dueAt,
      });
      expect(response.body.counts.overdue).toBeGreaterThanOrEqual(1);
      expect(JSON.stringify(response.body)).not.toContain(far.code);
      expect(JSON.stringify(response.body)).not.toContain(applicant.idNumber);
    }
  });
});
