/**
 * Runs a planned quarter (scripts/demo/plan.ts) through a local instance's HTTP API, and nothing else: each
 * dossier is filed, moved through the workflow, paid, uploaded and rated as a portal, the counter and the ward's
 * staff would. It counts what it did, in the report's terms, so the quarter's report can be checked against it.
 *
 * Each dossier keeps its own time (`Timeline`): every request it makes carries the instant it is planned for in the
 * DEMO_INSTANT_HEADER, which the instance the demo starts takes as the request's time (`demoRequestClock`, given to
 * local/ward.ts as `requestClock`). Dossiers then run side by side, none waiting for another's time to come.
 * This exists only in an instance started for the demo or its test: `npm start` does not read the header, and in
 * a deployed ward API Gateway stamps each request with its own time, which no header moves.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TokenRequest } from '../../local/issuer.ts';
import type { WardConfig } from '../../shared/config/ward.ts';
import type { WorkingCalendar } from '../../shared/domain/calendar.ts';
import { classifyTiming } from '../../shared/domain/timing.ts';
import { instantAt, type LocalDate, localDateOf } from '../../shared/domain/zoned-time.ts';
import { jpegFile, pdfFile, pngFile } from '../../test/support/scans.ts';
import { type DossierPlan, floorToGrid, GRID_MS, type QuarterPlan, random } from './plan.ts';

/** What the demo did, counted as the report counts: each event on its day, received ones by their receipt day. */
export interface Tally {
  filed: number;
  received: number;
  receivedOnline: number;
  receivedInPerson: number;
  receivedPostal: number;
  notAccepted: number;
  resolved: number;
  early: number;
  onTime: number;
  late: number;
  lateWithApology: number;
  returned: number;
  rejected: number;
  withdrawn: number;
  stopped: number;
  apologies: number;
  supplements: number;
  /** Received in the quarter, a fee above zero, not exempt. */
  feeBearing: number;
  paidOnline: number;
  paidOnlineVnd: number;
  /** Received in the quarter, every mandatory paper uploaded (checked as digitised once the check has run). */
  uploadedAll: number;
  uploads: number;
  ratings: number;
  feedback: number;
  /** Received before the quarter and not resolved or closed before it. */
  carriedOver: number;
  /** Open at the quarter's end (received, not resolved or closed). */
  openAtEnd: number;
  requests: number;
  /** Requests that did not get the answer the workflow expects; each stops its dossier. */
  failures: string[];
  /** Routes not there (404 from the gateway): rating, feedback; said once each. */
  skipped: string[];
}

export const emptyTally = (): Tally => ({
  filed: 0,
  received: 0,
  receivedOnline: 0,
  receivedInPerson: 0,
  receivedPostal: 0,
  notAccepted: 0,
  resolved: 0,
  early: 0,
  onTime: 0,
  late: 0,
  lateWithApology: 0,
  returned: 0,
  rejected: 0,
  withdrawn: 0,
  stopped: 0,
  apologies: 0,
  supplements: 0,
  feeBearing: 0,
  paidOnline: 0,
  paidOnlineVnd: 0,
  uploadedAll: 0,
  uploads: 0,
  ratings: 0,
  feedback: 0,
  carriedOver: 0,
  openAtEnd: 0,
  requests: 0,
  failures: [],
  skipped: [],
});

export interface DriveTarget {
  url: string;
  ward: WardConfig;
  calendar: WorkingCalendar;
  /** A token as the instance hands them out (POST /_local/token, or the local runner's issuer). */
  mint(request: TokenRequest): Promise<string>;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Heard each time a dossier's run ends, with how many have. */
  onProgress?: (done: number, tally: Tally) => void;
}

/** How many times one request is sent again after a 503 or a 429, or one action after a stale ETag. */
const RETRIES = 5;
/** How long an online return waits for its result's check: 40 looks, 250 ms apart. */
const RESULT_CHECK_POLLS = 40;
const RESULT_CHECK_POLL_MS = 250;
/** A portal's token lives five minutes: a new one well before. */
const TOKEN_REUSE_MS = 4 * 60_000;

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON answers, read field by field as a client reads them
  body: any;
}

/** A dossier as the demo holds it between steps. */
interface Held {
  code: string;
  etag: string;
  pin: string;
  dueAt?: string;
  receivedAt?: string;
  /** Every mandatory paper uploaded. */
  uploaded?: boolean;
}

const SCANS = [
  { contentType: 'application/pdf', extension: 'pdf', bytes: pdfFile() },
  { contentType: 'image/png', extension: 'png', bytes: pngFile() },
  { contentType: 'image/jpeg', extension: 'jpg', bytes: jpegFile() },
] as const;

const FAMILY_NAMES = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi', 'Đỗ', 'Ngô'];
const GIVEN_NAMES = ['Thị Lan', 'Văn Nam', 'Minh Anh', 'Thu Hà', 'Quang Huy', 'Ngọc Mai', 'Đức Thắng', 'Thanh Hương'];
const STREETS = ['phố Kim Liên', 'ngõ Văn Chương', 'phố Khâm Thiên', 'đường Giải Phóng', 'phố Tôn Đức Thắng'];

export async function driveQuarter(plan: QuarterPlan, target: DriveTarget): Promise<Tally> {
  const { ward, calendar } = target;
  const { timeZone } = ward;
  const tally = emptyTally();
  const procedures = new Map(ward.catalog.procedures.map((p) => [p.code, p]));
  const leader = ward.staff.find((s) => s.roles.includes('leader'))?.username;
  const officer = ward.staff.find((s) => s.roles.includes('officer'))?.username;
  const portalId = ward.portals[0]?.id;
  const first = instantAt(plan.quarter.first, 0, timeZone);
  const inQuarter = (instant: number | string | undefined) => {
    if (instant === undefined) return false;
    const at = typeof instant === 'string' ? Date.parse(instant) : instant;
    return at >= first && at <= plan.until;
  };
  const codes = new Map<number, Held>();
  /** Dossiers received (in the quarter or before it) and not yet resolved or closed: whether received before it. */
  const open = new Map<number, { carried: boolean; held: Held }>();

  // Requests in flight at once, bounded: every actor of an instant wakes together.
  const limit = target.concurrency ?? 8;
  let inFlight = 0;
  const queue: (() => void)[] = [];
  async function slot<T>(work: () => Promise<T>): Promise<T> {
    if (inFlight >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    inFlight++;
    try {
      return await work();
    } finally {
      inFlight--;
      queue.shift()?.();
    }
  }

  const tokens = new Map<string, { token: string; at: number }>();
  async function token(as: TokenRequest): Promise<string> {
    const key = JSON.stringify(as);
    const kept = tokens.get(key);
    if (kept && performance.now() - kept.at < TOKEN_REUSE_MS) return kept.token;
    const minted = await target.mint(as);
    tokens.set(key, { token: minted, at: performance.now() });
    return minted;
  }
  const asOfficer: TokenRequest = { role: 'officer', ...(officer ? { username: officer } : {}) };
  const asLeader: TokenRequest = { role: 'leader', ...(leader ? { username: leader } : {}) };
  const asSpecialist = (username: string): TokenRequest => ({ role: 'specialist', username });
  const asPortal: TokenRequest | undefined = portalId ? { portal: portalId } : undefined;

  async function send(
    method: string,
    path: string,
    options: { at: number; as?: TokenRequest; body?: unknown; headers?: Record<string, string> },
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers, [DEMO_INSTANT_HEADER]: String(options.at) };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    for (let attempt = 0; ; attempt++) {
      const answer = await slot(async () => {
        // Taken as the request leaves, not as it queues: a portal's token lives five minutes, a queue may be longer.
        if (options.as) headers.authorization = `Bearer ${await token(options.as)}`;
        tally.requests++;
        const response = await fetch(`${target.url}${path}`, {
          method,
          headers,
          ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        });
        const text = await response.text();
        const json = /json/.test(response.headers.get('content-type') ?? '') && text ? JSON.parse(text) : text;
        return { status: response.status, headers: response.headers, body: json };
      });
      // A well-behaved client: sent again (the same Idempotency-Key) after the time the answer asks for.
      if ((answer.status !== 503 && answer.status !== 429) || attempt >= RETRIES) return answer;
      // A limit that lasts longer (feedback: a few an hour per address) is the answer: the caller says so.
      const wait = Number(answer.headers.get('retry-after') ?? '1');
      if (!Number.isFinite(wait) || wait > 5) return answer;
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    }
  }

  class Failed extends Error {}
  const expect = (answer: Answer, status: number, what: string) => {
    if (answer.status === status) return answer;
    const detail = typeof answer.body === 'object' ? (answer.body.detail ?? answer.body.message) : answer.body;
    throw new Failed(`${what}: ${answer.status} ${String(detail).slice(0, 300)}`);
  };

  /** An action with the dossier's ETag; a stale one (a check of an upload moved the dossier on) is read again. */
  async function act(held: Held, body: Record<string, unknown>, as: TokenRequest, t: Timeline): Promise<void> {
    for (let attempt = 0; attempt <= RETRIES; attempt++) {
      const answer = await send('POST', `/dossiers/${encodeURIComponent(held.code)}/actions`, {
        at: t.now,
        as,
        body,
        headers: { 'if-match': held.etag },
      });
      if (answer.status === 412) {
        // The answer names the current version's ETag; without one (a race), the dossier is read again.
        if (typeof answer.body === 'object' && typeof answer.body.etag === 'string') held.etag = answer.body.etag;
        else {
          const current = await send('GET', `/dossiers/${encodeURIComponent(held.code)}`, { at: t.now, as: asLeader });
          held.etag = expect(current, 200, `read ${held.code}`).headers.get('etag')!;
        }
        continue;
      }
      expect(answer, 200, `${String(body.action)} ${held.code}`);
      held.etag = answer.headers.get('etag')!;
      if (answer.body.dueAt) held.dueAt = answer.body.dueAt;
      return;
    }
    throw new Failed(`${String(body.action)} ${held.code}: the ETag kept changing`);
  }

  /** Real files, one per component: asked for, PUT to the presigned URL, checked by the instance. */
  async function upload(
    held: Held,
    components: string[],
    as: TokenRequest,
    draw: () => number,
    t: Timeline,
  ): Promise<void> {
    for (const component of components) {
      const scan = SCANS[Math.floor(draw() * SCANS.length)]!;
      const ticket = await send('POST', `/dossiers/${encodeURIComponent(held.code)}/documents`, {
        at: t.now,
        as,
        body: {
          kind: 'component',
          component,
          fileName: `${component.toLowerCase()}.${scan.extension}`,
          contentType: scan.contentType,
          sizeBytes: scan.bytes.length,
          sha256: createHash('sha256').update(scan.bytes).digest('hex'),
        },
      });
      expect(ticket, 201, `upload ticket ${held.code} ${component}`);
      const put = await slot(() => {
        tally.requests++;
        return fetch(ticket.body.url, { method: 'PUT', headers: ticket.body.headers, body: scan.bytes });
      });
      await put.arrayBuffer();
      if (put.status !== 200) throw new Failed(`PUT ${held.code} ${component}: ${put.status}`);
      tally.uploads++;
    }
    held.uploaded = true;
  }

  /** The signed result as a real PDF: asked for, PUT to the presigned URL, checked by the instance. */
  async function uploadResult(held: Held, t: Timeline): Promise<void> {
    const scan = SCANS.find((s) => s.contentType === 'application/pdf') ?? SCANS[0]!;
    const ticket = await send('POST', `/dossiers/${encodeURIComponent(held.code)}/documents`, {
      at: t.now,
      as: asOfficer,
      body: {
        kind: 'result',
        fileName: `ket-qua.${scan.extension}`,
        contentType: scan.contentType,
        sizeBytes: scan.bytes.length,
        sha256: createHash('sha256').update(scan.bytes).digest('hex'),
      },
    });
    expect(ticket, 201, `result ticket ${held.code}`);
    const put = await slot(() => {
      tally.requests++;
      return fetch(ticket.body.url, { method: 'PUT', headers: ticket.body.headers, body: scan.bytes });
    });
    await put.arrayBuffer();
    if (put.status !== 200) throw new Failed(`PUT result ${held.code}: ${put.status}`);
    tally.uploads++;
  }

  /** The return; online, it waits (in real time, a bounded while) for the result's check to have run. */
  async function returnResult(held: Held, channel: 'online' | 'in_person', t: Timeline): Promise<void> {
    for (let attempt = 0; channel === 'online' && attempt < RESULT_CHECK_POLLS; attempt++) {
      const current = await send('GET', `/dossiers/${encodeURIComponent(held.code)}`, { at: t.now, as: asOfficer });
      if (expect(current, 200, `read ${held.code}`).body.eResult) break;
      await new Promise((resolve) => setTimeout(resolve, RESULT_CHECK_POLL_MS));
    }
    await act(held, { action: 'return_result', channel }, asOfficer, t);
  }

  const workingAfter = (from: number, minutes: number) => calendar.addWorkingMinutes(from, Math.max(0, minutes));
  const officeTime = (date: LocalDate, draw: () => number) =>
    calendar.nextWorkingInstant(instantAt(date, 7 * 60 + Math.floor(draw() * 9 * 60), timeZone));

  /** Optional routes of other parts of the issue: tried, and said once if the instance has none. */
  const missing = new Set<string>();
  async function optional(name: string, request: () => Promise<Answer>): Promise<boolean> {
    if (missing.has(name)) return false;
    const got = await request();
    if (got.status < 300) return true;
    // Said once, however many were in flight when the first answer came.
    if (missing.has(name)) return false;
    missing.add(name);
    if (got.status === 404 && typeof got.body === 'object' && got.body.message === 'Not Found')
      tally.skipped.push(`${name}: the instance has no such route (404), skipped`);
    else {
      const detail = typeof got.body === 'object' ? (got.body.detail ?? got.body.message) : got.body;
      tally.skipped.push(`${name}: answered ${got.status} (${String(detail).slice(0, 200)}), skipped from then on`);
    }
    return false;
  }

  async function life(dossier: DossierPlan): Promise<void> {
    const draw = random(dossier.seed);
    const between = (low: number, high: number) => low + draw() * (high - low);
    const procedure = procedures.get(dossier.procedureCode)!;
    const online = dossier.channel === 'online';
    const filer = online ? asPortal : asOfficer;
    if (!filer) return;
    const mandatory = procedure.components.filter((c) => c.mandatory).map((c) => c.code);
    const optionalPapers = procedure.components.filter((c) => !c.mandatory && draw() < 0.3).map((c) => c.code);

    const t = new Timeline(dossier.filedAt, plan.until);
    const fee = procedure.feeVnd;
    const reference = () => `PAYGOV-${dossier.seed.toString(36)}-${Math.floor(draw() * 1e6)}`;
    const payment =
      dossier.payment === 'cash'
        ? { method: 'cash', paid: true }
        : dossier.payment === 'online'
          ? { method: 'online', paid: true, transactionRef: reference() }
          : dossier.payment === 'exempt'
            ? { method: 'exempt', legalBasis: 'Điểm a khoản 1 Điều 5 Thông tư 85/2019/TT-BTC (người có công)' }
            : dossier.payment === 'online_later'
              ? { method: 'online', paid: false }
              : dossier.payment === 'unpaid'
                ? { method: online ? 'online' : 'cash', paid: false }
                : undefined;
    const applicant = {
      fullName: `${FAMILY_NAMES[Math.floor(draw() * FAMILY_NAMES.length)]} ${GIVEN_NAMES[Math.floor(draw() * GIVEN_NAMES.length)]}`,
      idNumber: `0${String(1 + Math.floor(draw() * 96)).padStart(2, '0')}${String(Math.floor(draw() * 1e9)).padStart(9, '0')}`,
      phone: `09${String(Math.floor(draw() * 1e8)).padStart(8, '0')}`,
      address: `Số ${1 + Math.floor(draw() * 200)} ${STREETS[Math.floor(draw() * STREETS.length)]}, ${ward.name}`,
    };
    const filed = await send('POST', '/dossiers', {
      at: t.now,
      as: filer,
      body: {
        procedureCode: procedure.code,
        channel: dossier.channel,
        applicant,
        components: [...mandatory, ...optionalPapers],
        ...(payment ? { payment } : {}),
      },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(filed, 201, `file ${procedure.code} ${dossier.channel}`);
    tally.filed++;
    const held: Held = {
      code: filed.body.code,
      etag: filed.headers.get('etag')!,
      pin: filed.body.lookup.pin,
      ...(filed.body.dueAt ? { dueAt: filed.body.dueAt } : {}),
      ...(filed.body.receivedAt ? { receivedAt: filed.body.receivedAt } : {}),
    };
    codes.set(dossier.index, held);
    // Scanned at the counter, or sent as files with the online filing.
    if (dossier.upload && !dossier.supplement) await upload(held, mandatory, filer, draw, t);

    if (online) {
      if (!t.move(workingAfter(dossier.filedAt, between(15, 240)))) return;
      if (dossier.fate === 'refused') {
        await act(
          held,
          { action: 'refuse', reason: 'Hồ sơ không thuộc thẩm quyền giải quyết của phường' },
          asOfficer,
          t,
        );
        if (inQuarter(t.now)) tally.notAccepted++;
        return;
      }
      await act(held, { action: 'accept', note: 'Hồ sơ đủ, đúng' }, asOfficer, t);
      held.receivedAt = new Date(t.now).toISOString();
    }
    const receivedAt = Date.parse(held.receivedAt!);
    const receivedInQuarter = inQuarter(receivedAt);
    if (receivedInQuarter) {
      tally.received++;
      if (dossier.channel === 'online') tally.receivedOnline++;
      else if (dossier.channel === 'postal') tally.receivedPostal++;
      else tally.receivedInPerson++;
      if (fee > 0 && dossier.payment !== 'exempt') tally.feeBearing++;
      if (dossier.payment === 'online') {
        tally.paidOnline++;
        tally.paidOnlineVnd += fee;
      }
      if (held.uploaded) tally.uploadedAll++;
    }
    const carried = receivedAt < first;
    if (receivedInQuarter || carried) open.set(dossier.index, { carried, held });
    /** Resolved, rejected, withdrawn or stopped: no longer open, and carried over if that happened in the quarter. */
    const close = () => {
      if (carried && t.now >= first) tally.carriedOver++;
      open.delete(dossier.index);
    };
    if (!t.move(workingAfter(receivedAt, between(10, 120)))) return;
    const holder = asSpecialist(dossier.specialist);
    if (dossier.payment === 'online_later') {
      await act(
        held,
        { action: 'record_payment', method: 'online', amountVnd: fee, transactionRef: reference() },
        asOfficer,
        t,
      );
      if (receivedInQuarter) {
        tally.paidOnline++;
        tally.paidOnlineVnd += fee;
      }
    }
    await act(held, { action: 'assign', assignee: dossier.specialist }, asOfficer, t);

    if (dossier.fate === 'withdrawn' || dossier.fate === 'stopped') {
      if (!t.move(workingAfter(t.now, between(60, 960)))) return;
      if (dossier.fate === 'withdrawn')
        await act(held, { action: 'withdraw', reason: 'Công dân xin rút hồ sơ' }, online ? asPortal! : asOfficer, t);
      else await act(held, { action: 'stop', reason: 'Người yêu cầu qua đời trong quá trình giải quyết' }, asLeader, t);
      if (inQuarter(t.now)) tally[dossier.fate]++;
      close();
      return;
    }
    if (dossier.supplement) {
      if (!t.move(workingAfter(t.now, between(30, 240)))) return;
      await act(held, { action: 'request_supplement', missing: ['Bản chụp giấy tờ rõ nét, đủ trang'] }, holder, t);
      if (!t.move(workingAfter(t.now, between(480, 3 * 480)))) return;
      if (dossier.upload) {
        await upload(held, mandatory, filer, draw, t);
        if (receivedInQuarter) tally.uploadedAll++;
      }
      await act(
        held,
        { action: 'supplement_received', note: 'Công dân đã bổ sung' },
        online ? asPortal! : asOfficer,
        t,
      );
      tally.supplements++;
    }
    const dueAt = Date.parse(held.dueAt!);
    const dueDate = localDateOf(dueAt, timeZone);
    if (dossier.fate === 'rejected') {
      const span = Math.max(0, calendar.workingMinutesBetween(t.now, dueAt));
      if (!t.move(workingAfter(t.now, span * between(0.2, 0.8)))) return;
      await act(held, { action: 'reject', reason: 'Hồ sơ không đủ điều kiện theo quy định' }, holder, t);
      if (inQuarter(t.now)) tally.rejected++;
      close();
      return;
    }
    let readyAt: number;
    let fate = dossier.fate;
    let apologized = false;
    const dueDayStarts = instantAt(dueDate, 0, timeZone);
    if (fate === 'early') {
      const span = calendar.workingMinutesBetween(t.now + 2 * GRID_MS, dueDayStarts);
      if (span >= 60) readyAt = workingAfter(t.now + 2 * GRID_MS, span * between(0.1, 0.9));
      else fate = 'on_time';
    }
    if (fate === 'on_time') {
      const from = Math.max(t.now + 2 * GRID_MS, instantAt(dueDate, 7 * 60, timeZone));
      readyAt = from + draw() * Math.max(0, instantAt(dueDate, 16 * 60 + 30, timeZone) - from);
    }
    if (fate === 'late') {
      let day = dueDate;
      for (let i = Math.ceil(between(0.01, 4)); i > 0; i--) day = calendar.nextWorkingDay(day);
      readyAt = officeTime(day, draw);
      // Form 04, at the latest the day before the due date, with a new appointment one working day on.
      const lastApology = dueDayStarts - GRID_MS;
      const apologyAt = t.next(t.now + between(0, Math.max(0, lastApology - t.now)));
      if (dossier.apology && apologyAt <= lastApology) {
        t.move(apologyAt);
        // One working day: never more than the decree's one more legal time, which is at least a working day.
        const newDueAt = new Date(calendar.addWorkingMinutes(dueAt, 480)).toISOString();
        await act(held, { action: 'apologize', reason: 'Chờ kết quả xác minh liên thông', newDueAt }, holder, t);
        if (inQuarter(t.now)) tally.apologies++;
        apologized = true;
      }
    }
    if (!t.move(readyAt! - between(1, 4) * GRID_MS)) return;
    await act(held, { action: 'submit_for_approval' }, holder, t);
    if (!t.move(readyAt!)) return;
    await act(held, { action: 'approve' }, asLeader, t);
    if (inQuarter(t.now)) {
      tally.resolved++;
      // By the calendar dates of the approval and the due date, as DOMAIN.md defines them.
      const timing = classifyTiming(t.now, Date.parse(held.dueAt!), timeZone);
      if (timing === 'early') tally.early++;
      else if (timing === 'on_time') tally.onTime++;
      else {
        tally.late++;
        if (apologized) tally.lateWithApology++;
      }
    }
    close();
    if (!dossier.returned) return;
    if (!t.move(workingAfter(t.now, between(30, 3 * 480)))) return;
    // An online return hands over the electronic result, which only a procedure issuing one has: the officer uploads
    // it once resolved and returns once its check has run; a paper-only result is collected at the counter.
    const electronic = online && (procedure.resultForm === 'electronic' || procedure.resultForm === 'both');
    if (electronic) await uploadResult(held, t);
    await returnResult(held, electronic ? 'online' : 'in_person', t);
    if (inQuarter(t.now)) tally.returned++;
    if (!dossier.rating) return;
    if (!t.move(t.now + between(1, 48) * 3_600_000)) return;
    const choice = draw();
    const rating = choice < 0.55 ? 'very_satisfied' : choice < 0.93 ? 'satisfied' : 'dissatisfied';
    const rated = await optional('POST /public/dossiers/{code}/rating', () =>
      send('POST', `/public/dossiers/${encodeURIComponent(held.code)}/rating`, {
        at: t.now,
        body: { pin: held.pin, rating, ...(choice > 0.8 ? { comment: 'Cán bộ hướng dẫn tận tình' } : {}) },
      }),
    );
    if (rated && inQuarter(t.now)) tally.ratings++;
  }

  async function feedback(at: number, about: number | undefined): Promise<void> {
    const t = new Timeline(at, plan.until);
    const dossier = about === undefined ? undefined : codes.get(about);
    const sent = await optional('POST /public/feedback', () =>
      send('POST', '/public/feedback', {
        at: t.now,
        body: {
          content: dossier
            ? 'Đề nghị cho biết vì sao hồ sơ của tôi chưa có kết quả đúng hẹn.'
            : 'Đề nghị bố trí thêm ghế chờ tại Bộ phận Một cửa vào buổi sáng.',
          contact: '0987654321',
          ...(dossier ? { dossierCode: dossier.code } : {}),
        },
      }),
    );
    if (sent && inQuarter(t.now)) tally.feedback++;
  }

  const failed = (error: unknown) => {
    if (tally.failures.length < 1000) tally.failures.push((error as Error).message);
  };
  let done = 0;
  const ended = () => target.onProgress?.(++done, tally);
  target.onProgress?.(0, tally);
  await Promise.all([
    ...plan.dossiers.map((dossier) => life(dossier).catch(failed).finally(ended)),
    ...plan.feedback.map((item) => feedback(item.at, item.dossier).catch(failed).finally(ended)),
  ]);
  for (const { carried } of open.values()) {
    if (carried) tally.carriedOver++;
    tally.openAtEnd++;
  }
  return tally;
}

/** The quarter's first and last ward dates, for GET /reports. */
export const periodOf = (plan: QuarterPlan) => ({ from: plan.quarter.first, to: plan.quarter.last });

/** The header that carries, on each of the demo's requests, the instant it is planned for (epoch milliseconds). */
export const DEMO_INSTANT_HEADER = 'x-motcua-demo-instant';

/**
 * The request clock of an instance started for the demo (local/ward.ts `requestClock`): the instant the request
 * names, or the system clock for one that names none (the report, a curl while the demo runs). Local only: nothing
 * in the deployed stack reads the header.
 */
export function demoRequestClock(request: IncomingMessage): number {
  const named = Number(request.headers[DEMO_INSTANT_HEADER]);
  return Number.isSafeInteger(named) && named > 0 ? named : Date.now();
}

/** One dossier's own time: each step on the grid after the one before, none after the quarter's end. */
export class Timeline {
  now: number;
  private readonly end: number;

  constructor(start: number, end: number) {
    this.now = floorToGrid(start);
    this.end = end;
  }

  /** The grid instant a step planned for `at` happens at: never at or before the last step. */
  next(at: number): number {
    return Math.max(floorToGrid(at), this.now + GRID_MS);
  }

  /** Moves on to that instant; false when it is past the quarter's end (the dossier is left where it is). */
  move(at: number): boolean {
    this.now = this.next(at);
    return this.now <= this.end;
  }
}
