import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRequest } from '../../local/issuer.ts';
import { routes } from '../../shared/blueprint/routes.ts';
import { readWardFile } from '../../shared/config/ward-files.ts';
import { WorkingCalendar } from '../../shared/domain/calendar.ts';
import { actionRules } from '../../shared/domain/workflow.ts';
import { birthRegistration, idempotent } from '../support/fixtures.ts';
import { startTestWard, type TestWard } from '../support/ward.ts';

const callers: Record<string, TokenRequest | undefined> = {
  anonymous: undefined,
  officer: { role: 'officer' },
  specialist: { role: 'specialist' },
  leader: { role: 'leader' },
  'portal:submit': { portal: 'dvcqg', scopes: ['dossiers.submit'] },
  'portal:read': { portal: 'dvcqg', scopes: ['dossiers.read'] },
};
type Caller = keyof typeof callers;
const everyone = Object.keys(callers) as Caller[];
const staff: Caller[] = ['officer', 'specialist', 'leader'];

/** Who may use each route; everyone else gets 403, or 401 without a token. Written out, not read from the blueprint. */
const allowed: Record<keyof typeof routes, Caller[]> = {
  'GET /health': everyone,
  'GET /openapi.json': everyone,
  'GET /procedures': everyone,
  'GET /procedures/{code}': everyone,
  'GET /public/dossiers/{code}': everyone,
  'POST /dossiers': ['officer', 'portal:submit'],
  'GET /dossiers': [...staff, 'portal:read'],
  'GET /dossiers/{code}': [...staff, 'portal:read'],
  'GET /dossiers/{code}/history': [...staff, 'portal:read'],
  'GET /dossiers/{code}/documents': [...staff, 'portal:read'],
  'GET /dossiers/{code}/documents/{id}': [...staff, 'portal:read'],
  'POST /dossiers/{code}/documents': ['officer', 'specialist', 'portal:submit'],
  'POST /dossiers/{code}/documents/reuse': ['officer', 'specialist', 'portal:submit'],
  'POST /dossiers/{code}/actions': [...staff, 'portal:submit'],
  'POST /dossiers/{code}/components/{component}/upload-url': ['officer', 'specialist', 'portal:submit'],
  'GET /alerts': staff,
  'GET /reports': ['officer', 'leader'],
  'GET /deadlines': ['officer', 'leader'],
  'GET /deliveries': ['officer'],
  'POST /deliveries/{id}/retry': ['officer'],
  'POST /portals/{portal}/deliveries/retry': ['officer'],
  'POST /public/dossiers/{code}/rating': everyone,
  'POST /public/feedback': everyone,
  'GET /public/feedback/{code}': everyone,
  'GET /feedback': staff,
  'GET /feedback/{code}': staff,
  'POST /feedback/{code}/actions': staff,
};

let ward: TestWard;
let code: string;
/** A feedback code of the right shape that no one filed: an allowed caller gets past authorization to a 404. */
const FEEDBACK = 'PAKN-0000000000';
beforeAll(async () => {
  // A second portal, which files nothing here: a caller for the dossiers another portal filed.
  ward = await startTestWard((w) => ({
    ...w,
    portals: [...w.portals, { id: 'tinh-portal', name: 'Cổng Dịch vụ công tỉnh' }],
  }));
  const filed = await ward.api.post('/dossiers', birthRegistration(), {
    as: { portal: 'dvcqg' },
    headers: idempotent(),
  });
  code = filed.body.code;
});
afterAll(async () => {
  await ward?.stop();
});

describe('the authorization matrix', () => {
  it('covers every route of the blueprint', () => {
    expect(Object.keys(allowed).sort()).toEqual(Object.keys(routes).sort());
  });

  const cases = Object.entries(allowed).flatMap(([route, who]) =>
    everyone.map((caller) => [route, caller, who.includes(caller)] as const),
  );
  it.each(cases)('%s as %s: allowed %s', async (route, caller, isAllowed) => {
    const [method, template] = route.split(' ') as [string, string];
    const path =
      template
        .replace('{code}', route.includes('procedures') ? '1.001193' : route.includes('feedback') ? FEEDBACK : code)
        .replace('{component}', 'TK')
        .replace('{portal}', 'dvcqg')
        .replace('{id}', '00000000-0000-4000-8000-000000000000') +
      (route === 'GET /public/dossiers/{code}' || route === 'GET /public/feedback/{code}'
        ? '?pin=00000000'
        : route === 'GET /reports'
          ? '?from=2026-01-01&to=2026-03-31'
          : '');
    const as = callers[caller];
    // POST bodies are empty objects: an allowed caller gets past authorization to a 400 on the body.
    const response = await ward.api.request(method, path, {
      ...(as ? { as } : {}),
      ...(method === 'POST' ? { body: {} } : {}),
    });
    if (isAllowed) {
      expect([401, 403]).not.toContain(response.status);
      expect(response.status).toBeLessThan(500);
    } else {
      expect(response.status).toBe(caller === 'anonymous' ? 401 : 403);
    }
  });
});

/**
 * Every workflow action, by every kind of caller, on a dossier brought through the API into a status where
 * the action applies: the exact answer each gets, written out by hand (not read from the rules table). Each
 * case has a dossier of its own, filed online by the portal dvcqg (a fee-bearing procedure, not yet paid) and,
 * from `in_progress` on, assigned to specialist.42 of Tư pháp – Hộ tịch; specialist.43 works in another
 * department. One line per caller: another caller is one more line.
 */
const sample = readWardFile('sample');
const calendar = new WorkingCalendar({
  timeZone: sample.timeZone,
  sessions: sample.officeHours.sessions,
  weekdays: sample.officeHours.weekdays,
  holidayOverrides: sample.holidayOverrides,
});
const oneWorkingDayAfter = (iso: string) => new Date(calendar.addWorkingMinutes(Date.parse(iso), 480)).toISOString();

type Stage = 'submitted' | 'received' | 'in_progress' | 'awaiting_supplement' | 'pending_approval' | 'resolved';
interface Scenario {
  stage: Stage;
  body: (dueAt: string | null) => Record<string, unknown>;
}
const scenarios = {
  accept: { stage: 'submitted', body: () => ({ action: 'accept' }) },
  refuse: {
    stage: 'submitted',
    body: () => ({ action: 'refuse', reason: 'Thủ tục không thuộc thẩm quyền của phường' }),
  },
  assign: { stage: 'received', body: () => ({ action: 'assign', assignee: 'specialist.42' }) },
  transfer: { stage: 'in_progress', body: () => ({ action: 'transfer', agency: 'Công an phường (liên thông)' }) },
  request_supplement: {
    stage: 'in_progress',
    body: () => ({ action: 'request_supplement', missing: ['Bản sao giấy tờ tùy thân'] }),
  },
  supplement_received: { stage: 'awaiting_supplement', body: () => ({ action: 'supplement_received' }) },
  submit_for_approval: { stage: 'in_progress', body: () => ({ action: 'submit_for_approval' }) },
  approve: { stage: 'pending_approval', body: () => ({ action: 'approve' }) },
  send_back: { stage: 'pending_approval', body: () => ({ action: 'send_back', note: 'Kiểm tra lại ngày sinh' }) },
  reject: { stage: 'in_progress', body: () => ({ action: 'reject', reason: 'Người yêu cầu không đủ điều kiện' }) },
  'reject while pending approval': {
    stage: 'pending_approval',
    body: () => ({ action: 'reject', reason: 'Người yêu cầu không đủ điều kiện' }),
  },
  record_payment: {
    stage: 'in_progress',
    body: () => ({ action: 'record_payment', method: 'online', amountVnd: 15000, transactionRef: 'PAYGOV-2026-001' }),
  },
  // In person: online needs a verified e-result (document-kinds.test.ts), which no dossier here has.
  return_result: { stage: 'resolved', body: () => ({ action: 'return_result', channel: 'in_person' }) },
  withdraw: { stage: 'in_progress', body: () => ({ action: 'withdraw', reason: 'Công dân xin rút hồ sơ' }) },
  stop: {
    stage: 'in_progress',
    body: () => ({ action: 'stop', reason: 'Công dân qua đời trong quá trình giải quyết' }),
  },
  apologize: {
    stage: 'in_progress',
    body: (dueAt) => ({
      action: 'apologize',
      reason: 'Chờ kết quả xác minh liên thông',
      newDueAt: oneWorkingDayAfter(dueAt!),
    }),
  },
} satisfies Record<string, Scenario>;
type ScenarioName = keyof typeof scenarios;
type Expected = Record<ScenarioName, 200 | 403 | 404 | 409 | 412>;

// prettier-ignore
const matrix: Record<string, { as: TokenRequest; expect: Expected }> = {
  officer: {
    as: { role: 'officer' },
    expect: {
      accept: 200,
      refuse: 200,
      assign: 200,
      transfer: 403,
      request_supplement: 403,
      supplement_received: 200,
      submit_for_approval: 403,
      approve: 403,
      send_back: 403,
      reject: 403,
      'reject while pending approval': 403,
      record_payment: 200,
      return_result: 200,
      withdraw: 200,
      stop: 403,
      apologize: 403,
    },
  },
  leader: {
    as: { role: 'leader' },
    expect: {
      accept: 403,
      refuse: 403,
      assign: 200,
      transfer: 200,
      request_supplement: 403,
      supplement_received: 403,
      submit_for_approval: 403,
      approve: 200,
      send_back: 200,
      reject: 200,
      'reject while pending approval': 200,
      record_payment: 403,
      return_result: 403,
      withdraw: 403,
      stop: 200,
      apologize: 200,
    },
  },
  'assignee specialist': {
    as: { role: 'specialist', username: 'specialist.42' },
    expect: {
      accept: 403,
      refuse: 403,
      assign: 403,
      transfer: 200,
      request_supplement: 200,
      supplement_received: 403,
      submit_for_approval: 200,
      approve: 403,
      send_back: 403,
      reject: 200,
      'reject while pending approval': 403,
      record_payment: 403,
      return_result: 403,
      withdraw: 403,
      stop: 403,
      apologize: 200,
    },
  },
  'other specialist': {
    as: { role: 'specialist', username: 'specialist.43' },
    expect: {
      accept: 403,
      refuse: 403,
      assign: 403,
      transfer: 403,
      request_supplement: 403,
      supplement_received: 403,
      submit_for_approval: 403,
      approve: 403,
      send_back: 403,
      reject: 403,
      'reject while pending approval': 403,
      record_payment: 403,
      return_result: 403,
      withdraw: 403,
      stop: 403,
      apologize: 403,
    },
  },
  'owning portal': {
    as: { portal: 'dvcqg' },
    expect: {
      accept: 403,
      refuse: 403,
      assign: 403,
      transfer: 403,
      request_supplement: 403,
      supplement_received: 200,
      submit_for_approval: 403,
      approve: 403,
      send_back: 403,
      reject: 403,
      'reject while pending approval': 403,
      record_payment: 200,
      return_result: 403,
      withdraw: 200,
      stop: 403,
      apologize: 403,
    },
  },
  // With the owner's real ETag: exactly what an unknown code gets (client-state.test.ts compares the whole answers).
  'other portal': {
    as: { portal: 'tinh-portal' },
    expect: {
      accept: 412,
      refuse: 412,
      assign: 412,
      transfer: 412,
      request_supplement: 412,
      supplement_received: 412,
      submit_for_approval: 412,
      approve: 412,
      send_back: 412,
      reject: 412,
      'reject while pending approval': 412,
      record_payment: 412,
      return_result: 412,
      withdraw: 412,
      stop: 412,
      apologize: 412,
    },
  },
};

const officerCaller: TokenRequest = { role: 'officer' };
const leaderCaller: TokenRequest = { role: 'leader' };
const assigneeCaller: TokenRequest = { role: 'specialist', username: 'specialist.42' };
const steps: Record<Exclude<Stage, 'submitted'>, { from: Stage; body: Record<string, unknown>; as: TokenRequest }> = {
  received: { from: 'submitted', body: { action: 'accept' }, as: officerCaller },
  in_progress: { from: 'received', body: { action: 'assign', assignee: 'specialist.42' }, as: leaderCaller },
  awaiting_supplement: {
    from: 'in_progress',
    body: { action: 'request_supplement', missing: ['Ảnh chân dung'] },
    as: assigneeCaller,
  },
  pending_approval: { from: 'in_progress', body: { action: 'submit_for_approval' }, as: assigneeCaller },
  resolved: { from: 'pending_approval', body: { action: 'approve' }, as: leaderCaller },
};

interface Prepared {
  code: string;
  etag: string;
  dueAt: string | null;
}

/** A dossier filed by the portal and taken through the API to `stage`. */
async function prepare(stage: Stage): Promise<Prepared> {
  if (stage === 'submitted') {
    const filed = await ward.api.post(
      '/dossiers',
      birthRegistration({ procedureCode: '1.004873', components: ['TK'], payment: { method: 'online', paid: false } }),
      { as: { portal: 'dvcqg' }, headers: idempotent() },
    );
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    return { code: filed.body.code, etag: filed.headers.get('etag')!, dueAt: null };
  }
  const step = steps[stage];
  const before = await prepare(step.from);
  const done = await ward.api.post(`/dossiers/${before.code}/actions`, step.body, {
    as: step.as,
    headers: { 'if-match': before.etag },
  });
  expect(done.status, `${stage}: ${JSON.stringify(done.body)}`).toBe(200);
  expect(done.body.status).toBe(stage);
  return { code: before.code, etag: done.headers.get('etag')!, dueAt: done.body.dueAt };
}

describe('the workflow authorization matrix', () => {
  const cases = Object.entries(matrix).flatMap(([caller, row]) =>
    (Object.keys(scenarios) as ScenarioName[]).map((scenario) => [scenario, caller, row.expect[scenario]] as const),
  );
  const prepared = new Map<string, Prepared>();
  beforeAll(async () => {
    // Eight at a time: each case its own dossier, so a 200 changes nothing for the next.
    for (let i = 0; i < cases.length; i += 8) {
      await Promise.all(
        cases
          .slice(i, i + 8)
          .map(async ([scenario, caller]) =>
            prepared.set(`${scenario}|${caller}`, await prepare(scenarios[scenario].stage)),
          ),
      );
    }
  }, 300_000);

  it('covers every action of the rules table, and each caller on every action', () => {
    expect([...new Set(Object.values(scenarios).map((s) => s.body('2026-03-09T01:00:00.000Z').action))].sort()).toEqual(
      Object.keys(actionRules).sort(),
    );
    for (const row of Object.values(matrix))
      expect(Object.keys(row.expect).sort()).toEqual(Object.keys(scenarios).sort());
  });

  it.each(cases)('%s by the %s: %i', async (scenario, caller, expected) => {
    const dossier = prepared.get(`${scenario}|${caller}`)!;
    const answer = await ward.api.post(`/dossiers/${dossier.code}/actions`, scenarios[scenario].body(dossier.dueAt), {
      as: matrix[caller]!.as,
      headers: { 'if-match': dossier.etag },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(expected);
  });
});

/**
 * Who may ask to upload each kind of document, on a dossier where that kind applies: a component while it is filed
 * (not yet assigned), an extra page while it is handled and a result once resolved (both assigned to specialist.42).
 * `specialist` is specialist.local, who does not hold them; the other portal did not file them (404, as unknown).
 */
const documentCallers: Record<string, TokenRequest | undefined> = {
  ...callers,
  'assignee specialist': { role: 'specialist', username: 'specialist.42' },
  'other portal': { portal: 'tinh-portal', scopes: ['dossiers.submit'] },
};
const documentKinds = {
  component: { stage: 'submitted', body: { kind: 'component', component: 'TK' } },
  extra: { stage: 'in_progress', body: { kind: 'extra' } },
  result: { stage: 'resolved', body: { kind: 'result' } },
} satisfies Record<string, { stage: Stage; body: Record<string, unknown> }>;
// prettier-ignore
const documentMatrix: Record<
  keyof typeof documentKinds,
  Record<keyof typeof documentCallers, 201 | 401 | 403 | 404>
> = {
  component: {
    anonymous: 401,
    officer: 201,
    specialist: 201,
    leader: 403,
    'portal:submit': 201,
    'portal:read': 403,
    'assignee specialist': 201,
    'other portal': 404,
  },
  extra: {
    anonymous: 401,
    officer: 201,
    specialist: 403,
    leader: 403,
    'portal:submit': 403,
    'portal:read': 403,
    'assignee specialist': 201,
    'other portal': 404,
  },
  result: {
    anonymous: 401,
    officer: 201,
    specialist: 403,
    leader: 403,
    'portal:submit': 403,
    'portal:read': 403,
    'assignee specialist': 201,
    'other portal': 404,
  },
};

describe('the documents authorization matrix', () => {
  const dossiers = new Map<string, string>();
  beforeAll(async () => {
    for (const [kind, { stage }] of Object.entries(documentKinds)) dossiers.set(kind, (await prepare(stage)).code);
  }, 120_000);

  it('covers every kind of document and every caller', () => {
    expect(Object.keys(documentMatrix).sort()).toEqual(['component', 'extra', 'result']);
    for (const row of Object.values(documentMatrix))
      expect(Object.keys(row).sort()).toEqual(Object.keys(documentCallers).sort());
  });

  const cases = Object.entries(documentMatrix).flatMap(([kind, row]) =>
    Object.entries(row).map(([caller, expected]) => [kind as keyof typeof documentKinds, caller, expected] as const),
  );
  it.each(cases)('a %s by the %s: %i', async (kind, caller, expected) => {
    const as = documentCallers[caller];
    const answer = await ward.api.request('POST', `/dossiers/${dossiers.get(kind)}/documents`, {
      ...(as ? { as } : {}),
      body: {
        ...documentKinds[kind].body,
        fileName: 'tai-lieu.pdf',
        contentType: 'application/pdf',
        sizeBytes: 10,
        sha256: 'ab'.repeat(32),
      },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(expected);
  });
});
