import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRequest } from '../../local/issuer.ts';
import { env } from '../../shared/blueprint/resources.ts';
import { secretText } from '../../shared/security/secrets.ts';
import { WEBHOOK_VERIFICATION_EXAMPLE } from '../../shared/security/webhook-signature.ts';
import { birthRegistration, idempotent } from '../support/fixtures.ts';
import { officer, startTestWard, type TestWard } from '../support/ward.ts';

/*
 * The status sync's promises, end to end: a real HTTP server on 127.0.0.1 stands in for two portals, each checking
 * every request with the verification example of the OpenAPI document (the code a portal is told to run). Time past
 * the first attempt is the ward's: the portal-sync schedule is triggered at later instants, as EventBridge would
 * fire it, so an outage of days takes no days.
 */

type Verify = (headers: Record<string, string>, rawBody: string, secrets: string[], nowSeconds?: number) => string;
const { verifyDelivery } = (await import(
  `data:text/javascript;base64,${Buffer.from(WEBHOOK_VERIFICATION_EXAMPLE).toString('base64')}`
)) as { verifyDelivery: Verify };

interface Received {
  headers: Record<string, string>;
  raw: string;
  body: { code: string; version: number; status: string; portalId: string };
}

/** One portal: its secret, what it took (verified), what it refused, and how it answers now. */
class StandInPortal {
  readonly id: string;
  secret = '';
  received: Received[] = [];
  refused: string[] = [];
  /** Requests that arrived, answered or not. */
  arrivals = 0;
  mode: { kind: 'up' } | { kind: 'down' } | { kind: 'slow'; ms: number } = { kind: 'up' };
  constructor(id: string) {
    this.id = id;
  }
  handle(headers: IncomingHttpHeaders, raw: string): number {
    this.arrivals++;
    if (this.mode.kind === 'down') return 503;
    const flat = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));
    try {
      verifyDelivery(flat, raw, [this.secret]);
    } catch (error) {
      this.refused.push((error as Error).message);
      return 401;
    }
    this.received.push({ headers: flat, raw, body: JSON.parse(raw) });
    return 204;
  }
  /** The changes it took of each dossier, as code → [version, status] in arrival order. */
  changes(): Record<string, [number, string][]> {
    const byCode: Record<string, [number, string][]> = {};
    for (const { body } of this.received) {
      byCode[body.code] ??= [];
      byCode[body.code]!.push([body.version, body.status]);
    }
    return byCode;
  }
}

const portals = { dvcqg: new StandInPortal('dvcqg'), tinh: new StandInPortal('tinh-portal') };
const portalOf = (path: string) => (path.startsWith('/dvcqg') ? portals.dvcqg : portals.tinh);
let server: Server;
let ward: TestWard;
const asDvcqg: TokenRequest = { portal: 'dvcqg' };
const asTinh: TokenRequest = { portal: 'tinh-portal' };

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const portal = portalOf(request.url ?? '');
      const answer = () => response.writeHead(portal.handle(request.headers, Buffer.concat(chunks).toString())).end();
      if (portal.mode.kind === 'slow') setTimeout(answer, portal.mode.ms);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  ward = await startTestWard((w) => ({
    ...w,
    portals: [
      { ...w.portals.find((p) => p.id === 'dvcqg')!, statusWebhookUrl: `http://127.0.0.1:${port}/dvcqg/status` },
      { id: 'tinh-portal', name: 'Cổng Dịch vụ công tỉnh', statusWebhookUrl: `http://127.0.0.1:${port}/tinh/status` },
    ],
  }));
  // Each portal's secret, where the ward keeps it (locally a file, as the ward key): the operator hands it over.
  const references = JSON.parse(ward.environmentOf('portal-sync')[env.portalSecrets]!) as Record<string, string>;
  for (const portal of Object.values(portals))
    portal.secret = readFileSync(references[portal.id]!.replace(/^file:/, ''), 'utf8').trim();
});
afterAll(async () => {
  await ward?.stop();
  await new Promise((resolve) => server?.close(resolve));
});

interface Held {
  code: string;
  etag: string;
}
async function file(as: TokenRequest): Promise<Held> {
  const filed = await ward.api.post('/dossiers', birthRegistration(), { as, headers: idempotent() });
  expect(filed.status, JSON.stringify(filed.body)).toBe(201);
  return { code: filed.body.code, etag: filed.headers.get('etag')! };
}
async function act(held: Held, body: Record<string, unknown>, as: TokenRequest): Promise<void> {
  const response = await ward.api.post(`/dossiers/${held.code}/actions`, body, {
    as,
    headers: { 'if-match': held.etag },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  held.etag = response.headers.get('etag')!;
}
/** Filed by the portal, accepted by the officer, withdrawn by the portal: three status changes. */
async function threeChanges(as: TokenRequest): Promise<Held> {
  const held = await file(as);
  await act(held, { action: 'accept' }, officer);
  await act(held, { action: 'withdraw', reason: 'Công dân xin rút' }, as);
  return held;
}
const allThree = [
  [1, 'submitted'],
  [2, 'received'],
  [3, 'withdrawn'],
];
const HOUR = 3_600_000;
/** The portal-sync schedule, fired at `at` (the ward's clock). */
const syncAt = (at: number) => ward.trigger('portal-sync', new Date(at));

describe('status changes reach the filing portal, signed and in order', () => {
  it('each portal verifies every signature and gets every change of its own dossiers, in order, none of the other’s', async () => {
    const [a, b] = await Promise.all([threeChanges(asDvcqg), threeChanges(asTinh)]);
    await ward.settle();
    expect(portals.dvcqg.refused).toEqual([]);
    expect(portals.tinh.refused).toEqual([]);
    expect(portals.dvcqg.changes()).toEqual({ [a.code]: allThree });
    expect(portals.tinh.changes()).toEqual({ [b.code]: allThree });
    // The id a portal deduplicates on: the same dossier and version, whatever the attempt.
    expect(portals.dvcqg.received.map((r) => r.headers['webhook-id'])).toEqual([1, 2, 3].map((v) => `${a.code}~${v}`));
  });

  it('a portal down for days, far past the old retry window, then gets everything it missed, in order', async () => {
    portals.dvcqg.received = [];
    portals.dvcqg.mode = { kind: 'down' };
    const start = Date.now();
    const c = await threeChanges(asDvcqg);
    await ward.settle();
    // Down for two days, the schedule firing every couple of hours (once a minute as deployed): all still pending.
    for (let at = start + HOUR / 2; at < start + 48 * HOUR; at += 2 * HOUR) await syncAt(at);
    expect(portals.dvcqg.arrivals).toBeGreaterThan(8);
    const pending = await ward.api.get('/deliveries?status=pending&portal=dvcqg', { as: officer });
    expect(pending.status).toBe(200);
    expect(pending.body.items.map((d: { id: string }) => d.id)).toEqual([1, 2, 3].map((v) => `${c.code}~${v}`));
    // Only the first is tried; the later ones wait behind it, with no attempt of their own.
    expect(pending.body.items[0]).toMatchObject({ state: 'pending', lastError: 'portal dvcqg answered 503' });
    expect(pending.body.items[0].attempts).toBeGreaterThan(8);
    expect(pending.body.items.slice(1).map((d: { attempts: number }) => d.attempts)).toEqual([0, 0]);
    expect(pending.body.items[2].nextAttemptAt).toBeUndefined();
    expect(portals.dvcqg.received).toEqual([]);

    portals.dvcqg.mode = { kind: 'up' };
    await syncAt(start + 49 * HOUR);
    expect(portals.dvcqg.refused).toEqual([]);
    expect(portals.dvcqg.changes()).toEqual({ [c.code]: allThree });
    const after = await ward.api.get('/deliveries?status=pending&portal=dvcqg', { as: officer });
    expect(after.body.items).toEqual([]);
  });

  it('past the ward’s horizon a delivery is failed, kept, listed for staff, and sent in order once retried', async () => {
    portals.tinh.received = [];
    portals.tinh.mode = { kind: 'down' };
    const start = Date.now();
    const d = await threeChanges(asTinh);
    await ward.settle();
    await syncAt(start + 24 * HOUR);
    await syncAt(start + 71 * HOUR);
    expect((await ward.api.get('/deliveries?status=failed', { as: officer })).body.items).toEqual([]);
    // The horizon (72 hours by default) has passed: failed, and the later ones still wait.
    await syncAt(start + 73 * HOUR);
    const failed = await ward.api.get('/deliveries?status=failed&portal=tinh-portal', { as: officer });
    expect(failed.body.items).toEqual([
      expect.objectContaining({ id: `${d.code}~1`, state: 'failed', portalId: 'tinh-portal', status: 'submitted' }),
    ]);
    const waiting = await ward.api.get('/deliveries?status=pending&portal=tinh-portal', { as: officer });
    expect(waiting.body.items.map((x: { id: string }) => x.id)).toEqual([`${d.code}~2`, `${d.code}~3`]);
    // Failed stays failed: the schedule sends it no more.
    const arrivals = portals.tinh.arrivals;
    await syncAt(start + 80 * HOUR);
    expect(portals.tinh.arrivals).toBe(arrivals);
    // Only a failed one is sent again on request.
    const notFailed = await ward.api.post(`/deliveries/${d.code}~2/retry`, {}, { as: officer });
    expect(notFailed.status).toBe(409);
    expect((await ward.api.post(`/deliveries/${d.code}~9/retry`, {}, { as: officer })).status).toBe(404);

    portals.tinh.mode = { kind: 'up' };
    const retried = await ward.api.post('/portals/tinh-portal/deliveries/retry', {}, { as: officer });
    expect(retried.body).toEqual({ retried: 1 });
    await syncAt(Date.now() + 60_000);
    expect(portals.tinh.changes()).toEqual({ [d.code]: allThree });
    expect((await ward.api.get('/deliveries?status=failed', { as: officer })).body.items).toEqual([]);
  });

  it('a slow portal, slower than the old ten-second timeout, receives each change once', async () => {
    portals.dvcqg.received = [];
    portals.dvcqg.mode = { kind: 'slow', ms: 11_000 };
    const arrivals = portals.dvcqg.arrivals;
    const e = await file(asDvcqg);
    await ward.settle(50_000);
    // Long enough for an attempt our own timeout had abandoned to have come back.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(portals.dvcqg.arrivals - arrivals).toBe(1);
    expect(portals.dvcqg.changes()).toEqual({ [e.code]: [[1, 'submitted']] });
    portals.dvcqg.mode = { kind: 'up' };
  });

  it('only portal-sync may read the portals’ secrets (its grant names their parameters)', async () => {
    const references = JSON.parse(ward.environmentOf('portal-sync')[env.portalSecrets]!) as Record<string, string>;
    const reference = references.dvcqg!;
    expect((await ward.runAs('portal-sync', () => secretText(reference))).trim()).toBe(portals.dvcqg.secret);
    for (const other of ['portal-notifier', 'deliveries', 'dossier-read'] as const) {
      expect(ward.environmentOf(other)[env.portalSecrets]).toBeUndefined();
      await expect(ward.runAs(other, () => secretText(reference))).rejects.toMatchObject({
        name: 'AccessDeniedException',
        message: expect.stringContaining('ssm:GetParameter'),
      });
    }
  });

  it('a forged, altered or replayed delivery is one the portal detects', () => {
    const genuine = portals.dvcqg.received[0]!;
    const now = Math.floor(Date.now() / 1000);
    expect(verifyDelivery(genuine.headers, genuine.raw, [portals.dvcqg.secret], now)).toBe(
      genuine.headers['webhook-id'],
    );
    // The other portal's delivery, signed with its own secret, presented to this one: forged.
    const other = portals.tinh.received[0]!;
    expect(() => verifyDelivery(other.headers, other.raw, [portals.dvcqg.secret], now)).toThrow(/no valid signature/);
    // The body changed on the way.
    const altered = genuine.raw.replace('"submitted"', '"returned"');
    expect(() => verifyDelivery(genuine.headers, altered, [portals.dvcqg.secret], now)).toThrow(/no valid signature/);
    // The same request played again ten minutes on, as is or with a fresh timestamp.
    expect(() => verifyDelivery(genuine.headers, genuine.raw, [portals.dvcqg.secret], now + 600)).toThrow(/tolerance/);
    const restamped = { ...genuine.headers, 'webhook-timestamp': String(now + 600) };
    expect(() => verifyDelivery(restamped, genuine.raw, [portals.dvcqg.secret], now + 600)).toThrow(
      /no valid signature/,
    );
  });
});
