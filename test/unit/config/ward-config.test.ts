import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { parseWardConfig } from '../../../shared/config/ward.ts';
import { readWardFile, wardsDir } from '../../../shared/config/ward-files.ts';

// Ward files the tests make up, seen by shared/config/ward-files.ts as if they were in wards/: writing them into the
// repository's folder would show them to every process reading it meanwhile (a synth, another test run).
const madeUp = vi.hoisted(() => new Map<string, string>());
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const virtual = (path: unknown) => {
    const match = /[/\\]wards[/\\]([^/\\]+)\.json$/.exec(String(path));
    return match ? madeUp.get(match[1]!) : undefined;
  };
  return {
    ...fs,
    existsSync: (path: Parameters<typeof fs.existsSync>[0]) => virtual(path) !== undefined || fs.existsSync(path),
    readFileSync: ((path: Parameters<typeof fs.readFileSync>[0], ...rest: unknown[]) =>
      virtual(path) ?? (fs.readFileSync as (...args: unknown[]) => unknown)(path, ...rest)) as typeof fs.readFileSync,
    readdirSync: ((path: Parameters<typeof fs.readdirSync>[0], ...rest: unknown[]) => {
      const listed = (fs.readdirSync as (...args: unknown[]) => string[])(path, ...rest);
      return /[/\\]wards$/.test(String(path)) ? [...listed, ...[...madeUp.keys()].map((id) => `${id}.json`)] : listed;
    }) as typeof fs.readdirSync,
  };
});

/** wards/sample.json as written (before defaults), to break one field at a time. */
const sample = () => JSON.parse(readFileSync(`${wardsDir}/sample.json`, 'utf8')) as Record<string, any>;
const errorOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('no error');
};
/** The fields an error names, in zod's pretty form ("→ at officeHours.sessions[1].end"). */
const fieldsNamed = (message: string) => [...message.matchAll(/→ at (\S+)/g)].map((m) => m[1]).sort();

describe('a broken ward configuration', () => {
  it('is refused with every field at fault, each with its rule, in one error', () => {
    const ward = sample();
    ward.unitCode = '000.00.00.h99';
    ward.timeZone = 'Asia/Hanoi';
    ward.officeHours.sessions[1].end = '13:00';
    ward.holidayOverrides = [{ year: 2026, daysOff: ['2025-12-31'] }];
    ward.portals[0].statusWebhookUrl = 'http://portal.example.vn/status';
    ward.staff[2].roles = ['mayor'];
    ward.catalog.procedures[2].processingTime.unit = 'weeks';
    ward.catalog.procedures[3].feeVnd = -15000;
    ward.alerts = { dueSoonHours: 0 };
    ward.supplementClock = 'freeze';
    const message = errorOf(() => parseWardConfig(ward));
    expect(message).toMatch(/^invalid ward configuration:\n/);
    expect(fieldsNamed(message)).toEqual(
      [
        'unitCode',
        'timeZone',
        'officeHours.sessions[1].end',
        'holidayOverrides[0]',
        'portals[0].statusWebhookUrl',
        'staff[2].roles[0]',
        'catalog.procedures[2].processingTime.unit',
        'catalog.procedures[3].feeVnd',
        'alerts.dueSoonHours',
        'supplementClock',
      ].sort(),
    );
    // Each with the rule it breaks, in words an administrator can act on.
    for (const [field, rule] of [
      ['unitCode', 'must match pattern'],
      ['timeZone', 'an IANA time zone'],
      ['officeHours.sessions[1].end', 'a session ends after it starts'],
      ['holidayOverrides[0]', 'every date of a year override is in that year'],
      ['portals[0].statusWebhookUrl', 'https, or http to localhost'],
      ['staff[2].roles[0]', '"officer"|"specialist"|"leader"'],
      ['catalog.procedures[3].feeVnd', '>=0'],
      ['supplementClock', '"pause"|"restart"'],
    ] as const) {
      expect(message, field).toMatch(
        new RegExp(`✖ [^\\n]*${literally(rule)}[^\\n]*\\n\\s*→ at ${literally(field)}\\n`),
      );
    }
  });

  it('names a procedure code or a username used twice at the later entry, beside the other fields at fault', () => {
    const ward = sample();
    ward.staff[4].username = ward.staff[1].username;
    ward.catalog.procedures[5].code = ward.catalog.procedures[2].code;
    ward.unitCode = '000.00.00';
    ward.catalog.procedures[0].feeVnd = -1;
    const message = errorOf(() => parseWardConfig(ward));
    expect(fieldsNamed(message)).toEqual(
      ['catalog.procedures[0].feeVnd', 'catalog.procedures[5].code', 'staff[4].username', 'unitCode'].sort(),
    );
    expect(message).toContain(`duplicate staff username ${ward.staff[1].username}`);
    expect(message).toContain(`duplicate procedure code ${ward.catalog.procedures[2].code}`);
  });

  it('names each missing field, nested ones by their path', () => {
    const { name: _name, resultCollection: _collection, ...ward } = sample();
    delete ward.deploy.authDomainPrefix;
    ward.catalog.procedures = [];
    ward.officeHours.sessions = [{ start: '07:30' }];
    expect(fieldsNamed(errorOf(() => parseWardConfig(ward)))).toEqual(
      [
        'name',
        'resultCollection',
        'deploy.authDomainPrefix',
        'catalog.procedures',
        'officeHours.sessions[0].end',
      ].sort(),
    );
  });

  it('names office sessions out of order, and a staff app URL that is neither https nor localhost', () => {
    const ward = sample();
    ward.officeHours.sessions = [
      { start: '13:30', end: '17:00' },
      { start: '07:30', end: '11:30' },
    ];
    ward.staffApp = { callbackUrls: ['https://motcua.example.gov.vn/cb', 'http://10.0.0.5/cb'] };
    const message = errorOf(() => parseWardConfig(ward));
    expect(fieldsNamed(message)).toEqual(['officeHours.sessions', 'staffApp.callbackUrls[1]']);
    expect(message).toContain('sessions are in order and do not overlap');
  });

  it('names overlapping seasons, a reception season without its end and a cut-off that is not a time of day', () => {
    const ward = sample();
    ward.officeHours.seasons.push({ from: '09-15', to: '10-31', sessions: [{ start: '07:30', end: '11:30' }] });
    ward.reception = [{ weekdays: [6], from: '05-01', sessions: [{ start: '07:30', end: '11:30' }] }];
    const copy = ward.catalog.procedures.findIndex((p: { code: string }) => p.code === '2.000815');
    ward.catalog.procedures[copy].processingTime = { unit: 'same_working_day', cutOff: '3pm' };
    const message = errorOf(() => parseWardConfig(ward));
    expect(fieldsNamed(message)).toEqual(
      ['officeHours.seasons', 'reception[0].to', `catalog.procedures[${copy}].processingTime.cutOff`].sort(),
    );
    expect(message).toContain('seasons do not overlap');
    expect(message).toContain('a season has both from and to');
  });

  it('reads the sample ward’s summer hours, Saturday reception and the source of each year it overrides', () => {
    const ward = readWardFile('sample');
    expect(ward.officeHours.seasons).toEqual([expect.objectContaining({ from: '05-01', to: '09-30' })]);
    expect(ward.reception).toEqual([{ weekdays: [6], sessions: [{ start: '07:30', end: '11:30' }] }]);
    expect(ward.holidayOverrides.map((o) => o.year)).toEqual([2020, 2021, 2022, 2023, 2024, 2025, 2026]);
    expect(ward.holidayOverrides.find((o) => o.year === 2025)?.source).toMatch(/8726\/VPCP-KGVX/);
  });
});

describe('a portal’s keys', () => {
  const withKeys = (...keys: Record<string, unknown>[]) => {
    const ward = sample();
    ward.portals[0].keys = { keys };
    return ward;
  };
  const ec = () => ({ ...sample().portals[0].keys.keys[0] });

  it('are public keys with their algorithm and id: a private member, HS256 or a short RSA key is refused by name', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...ec(), d: 'x'.repeat(43) }, 'portals[0].keys.keys[0]'],
      [{ ...ec(), alg: 'HS256' }, 'portals[0].keys.keys[0].alg'],
      [{ ...ec(), alg: undefined }, 'portals[0].keys.keys[0].alg'],
      [{ ...ec(), kid: undefined }, 'portals[0].keys.keys[0].kid'],
      [{ kty: 'oct', k: 'c2VjcmV0', alg: 'HS256', kid: 'k' }, 'portals[0].keys.keys[0].kty'],
      [{ kty: 'RSA', alg: 'RS256', kid: 'short', n: 'A'.repeat(171), e: 'AQAB' }, 'portals[0].keys.keys[0].n'],
    ];
    for (const [key, field] of cases) {
      expect(fieldsNamed(errorOf(() => parseWardConfig(withKeys(key)))), JSON.stringify(key)).toEqual([field]);
    }
    expect(parseWardConfig(withKeys(ec())).portals[0]!.keys!.keys).toHaveLength(1);
  });

  it('name each key once across the portals, so a kid never finds another portal’s key', () => {
    const ward = sample();
    ward.portals.push({ id: 'dvc-tinh', name: 'Cổng tỉnh', keys: { keys: [ec()] } });
    expect(errorOf(() => parseWardConfig(ward))).toMatch(/duplicate key id dvcqg-2026-1[\s\S]*portals\[1\]\.keys/);
  });
});

describe('a ward file', () => {
  it('that is broken is refused naming the file, then every field at fault', () => {
    const ward = sample();
    ward.id = 'phuong-hong';
    ward.unitCode = 'H99';
    ward.catalog.procedures[0].components = [];
    madeUp.set('phuong-hong', JSON.stringify(ward));
    const message = errorOf(() => readWardFile('phuong-hong'));
    expect(message).toMatch(/^wards\/phuong-hong\.json: invalid ward configuration:\n/);
    expect(fieldsNamed(message)).toEqual(['catalog.procedures[0].components', 'unitCode']);
  });

  it('that is not JSON is refused naming the file', () => {
    madeUp.set('phuong-json', '{ "id": "phuong-json", }');
    expect(errorOf(() => readWardFile('phuong-json'))).toMatch(/^wards\/phuong-json\.json: .*JSON/);
  });

  it('must declare the id its name says', () => {
    madeUp.set('phuong-a', JSON.stringify({ ...sample(), id: 'phuong-b' }));
    expect(errorOf(() => readWardFile('phuong-a'))).toBe(
      'wards/phuong-a.json declares id "phuong-b"; the file name and the id must match',
    );
  });

  it('that does not exist, or an id that is no file name, is refused listing the wards there are', () => {
    madeUp.set('phuong-c', JSON.stringify({ ...sample(), id: 'phuong-c' }));
    expect(readWardFile('phuong-c').id).toBe('phuong-c');
    for (const id of ['nowhere', '../package', 'sample/../sample', 'Sample']) {
      expect(
        errorOf(() => readWardFile(id)),
        id,
      ).toMatch(
        new RegExp(`^no ward configuration wards/${literally(id)}\\.json \\(wards available: .*\\bsample\\b.*\\)$`),
      );
    }
  });
});

function literally(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('the Decision 766 targets of a ward', () => {
  it('are taken per criterion the index knows, and refused for an unknown criterion or a target outside 0–100', () => {
    const ward = sample();
    ward.index766Targets = { progress: { target: 95 }, onlinePayment: { target: 90, maxPoints: 10 } };
    expect(parseWardConfig(ward).index766Targets).toEqual(ward.index766Targets);
    ward.index766Targets = { transparency: { target: 90 }, digitisation: { target: 0 }, satisfaction: { target: 101 } };
    expect(fieldsNamed(errorOf(() => parseWardConfig(ward)))).toEqual(
      // An unknown criterion is named at the record, the targets out of range each at their own field.
      ['index766Targets', 'index766Targets.digitisation.target', 'index766Targets.satisfaction.target'],
    );
  });
});
