import * as z from 'zod';
import { CALENDAR_YEARS } from '../domain/calendar-bounds.ts';
import { procedureSchema } from '../domain/catalog-schema.ts';
import { index766Groups } from '../domain/index766.ts';
import { portalScopes } from '../http/auth.ts';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:mm');
const isoDate = z.iso.date();

const officeSessionSchema = z
  .object({ start: clockTime, end: clockTime })
  .refine((s) => s.start < s.end, { message: 'a session ends after it starts', path: ['end'] });

const orderedSessions = z.array(officeSessionSchema).min(1).max(4).refine(sessionsAreOrdered, {
  message: 'sessions are in order and do not overlap',
});
/** A day of any year, 'MM-DD' (29 February included: a season may start or end on it). */
const monthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'MM-DD');
const weekdays = z.array(z.number().int().min(1).max(7)).min(1).max(7);

/** Office hours for part of each year (summer hours from 1 May to 30 September, say); from > to wraps the new year. */
const seasonSchema = z.object({ from: monthDay, to: monthDay, sessions: orderedSessions, name: z.string().optional() });

/**
 * When the counter receives on some weekdays, apart from the working calendar: a Saturday morning, say. Deadlines
 * still count on working days only; a dossier received then counts from the next working moment.
 */
const receptionRuleSchema = z
  .object({ weekdays, sessions: orderedSessions, from: monthDay.optional(), to: monthDay.optional() })
  .refine((r) => (r.from === undefined) === (r.to === undefined), {
    message: 'a season has both from and to',
    path: ['to'],
  });

/** Per-year corrections to the computed public holidays (the Prime Minister's yearly decision). */
const holidayOverrideSchema = z
  .object({
    year: z.number().int().min(CALENDAR_YEARS.first).max(CALENDAR_YEARS.last),
    /** Extra days off: bridge days, the day joined to 2/9, a Tết split that differs from the default. */
    daysOff: z.array(isoDate).default([]),
    /** Days that are worked even though the computed table or the weekend says otherwise (make-up Saturdays). */
    workingDays: z.array(isoDate).default([]),
    note: z.string().optional(),
    /** The decision this year's days follow (number and date); absent when none was found: the days are a guess. */
    source: z.string().min(1).optional(),
  })
  .refine((o) => [...o.daysOff, ...o.workingDays].every((d) => d.startsWith(`${o.year}-`)), {
    message: 'every date of a year override is in that year',
  });

/** Base64url without padding, as JWK members are written. */
const base64url = (length: { min: number; max: number }) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'base64url')
    .min(length.min)
    .max(length.max);
const keyId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits and . _ -');

/**
 * A public key a portal signs its tokens with, as a JWK: P-256 for ES256 or RSA (2048 to 4096 bits) for RS256, its
 * algorithm pinned (a token must name this one) and its key id. Strict: a private member (`d`, `p`, `q`…) is
 * refused, so a private key pasted by mistake never reaches a bundle.
 */
const portalKeySchema = z.discriminatedUnion('kty', [
  z.strictObject({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    alg: z.literal('ES256'),
    kid: keyId,
    x: base64url({ min: 43, max: 43 }),
    y: base64url({ min: 43, max: 43 }),
    use: z.literal('sig').optional(),
  }),
  z.strictObject({
    kty: z.literal('RSA'),
    alg: z.literal('RS256'),
    kid: keyId,
    n: base64url({ min: 342, max: 683 }),
    e: base64url({ min: 1, max: 8 }),
    use: z.literal('sig').optional(),
  }),
]);

const portalSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{2,40}$/),
  name: z.string().min(1),
  /**
   * The public keys of the portal's token signing keys (a JWK set; two while it rolls a key over). A ward cannot
   * be deployed with a portal that has none: it could never call.
   */
  keys: z.object({ keys: z.array(portalKeySchema).min(1).max(4) }).optional(),
  /** What the portal may do (its tokens may ask for less); both when absent. */
  scopes: z.array(z.enum(portalScopes)).min(1).optional(),
  /** Where status changes of this portal's dossiers are sent; none means the portal polls. */
  /** HTTPS, or plain HTTP to this machine for local runs. */
  statusWebhookUrl: z
    .url()
    .refine(
      (u) => u.startsWith('https://') || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(u),
      'https, or http to localhost',
    )
    .optional(),
  /**
   * The SSM SecureString parameter (its name) holding the secret the portal's status changes are signed with, made
   * and shared with the portal by the ward's operator; absent, the stack makes one (portalWebhookSecret in the
   * blueprint) and the operator reads it from there.
   */
  statusWebhookSecret: z
    .string()
    .regex(/^\/[A-Za-z0-9_./-]{1,500}$/, 'an SSM parameter name')
    .optional(),
});

/**
 * Where Cognito's hosted UI may send staff back after sign-in and sign-out: HTTPS, or plain HTTP to localhost
 * (Cognito allows nothing else), absolute, without a fragment (OAuth 2.0 forbids one in a redirect URI).
 */
const redirectUrl = z
  .url()
  .refine((u) => u.startsWith('https://') || /^http:\/\/localhost(:\d+)?(\/|$)/.test(u), 'https, or http to localhost')
  .refine((u) => !u.includes('#'), 'no fragment');

/** The staff application's sign-in through the hosted UI (authorization code with PKCE). */
const staffAppSchema = z.object({
  callbackUrls: z.array(redirectUrl).min(1).max(100),
  logoutUrls: z.array(redirectUrl).max(100).default([]),
});

/** Who hears about the ward's alarms. */
const operationsSchema = z.object({
  alarmEmails: z.array(z.email()).min(1).max(20),
});

/**
 * A staff web application's origin, for the document bucket's CORS: https, scheme, host and port only (a browser's
 * Origin header carries nothing else, so a path or a trailing slash would never match).
 */
const webOrigin = z
  .string()
  .max(253)
  .regex(/^https:\/\/[a-z0-9.-]+(:\d{1,5})?$/, 'an https origin: https://host[:port], lower case, no path');

/**
 * The dossiers' documents: after `infrequentAccessAfterDays` an object moves from S3 Standard to Standard-IA, which
 * costs about half as much to keep and more to read (S3 moves nothing to Standard-IA younger than 30 days); after
 * `retentionYears` it expires. Ten years is our default, not a legal figure: the archive terms of a ward's dossiers
 * are set by the archives law and the Ministry of Home Affairs' retention schedules, which the ward sets this to
 * (the years are counted as 365¼ days, so never short). `corsOrigins` are the staff web applications that upload
 * from a browser; none, no CORS rule, and only server-side clients can use the presigned URLs.
 */
const documentsSchema = z
  .object({
    infrequentAccessAfterDays: z.number().int().min(30).max(3650).default(90),
    retentionYears: z.number().int().min(1).max(100).default(10),
    corsOrigins: z.array(webOrigin).max(20).default([]),
  })
  .refine((d) => retentionDays(d.retentionYears) > d.infrequentAccessAfterDays, {
    message: 'documents are kept longer than they stay in Standard (S3 expires them after the transition)',
    path: ['retentionYears'],
  })
  .refine((d) => new Set(d.corsOrigins).size === d.corsOrigins.length, {
    message: 'each origin once',
    path: ['corsOrigins'],
  });

/** The days S3 keeps a document for a retention in years: leap days included, so never less than the years. */
export function retentionDays(years: number): number {
  return Math.ceil(years * 365.25);
}

/** A staff member of the ward: who may be assigned dossiers, and in which department (Phòng) they work. */
const staffMemberSchema = z.object({
  /** The sign-in name, as the `username` claim of the member's access token carries it. */
  username: z.string().regex(/^[\p{L}\p{N}._@+-]{1,128}$/u, 'letters, digits and . _ @ + -'),
  displayName: z.string().normalize('NFC').trim().min(1).max(200),
  roles: z.array(z.enum(['officer', 'specialist', 'leader'])).min(1),
  /** Compared with the department an assignment names, both in NFC. */
  department: z.string().normalize('NFC').trim().min(1).max(200),
  /** Where alerts for this member are sent. */
  email: z.email().optional(),
});

export const wardConfigSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{2,40}$/),
    /** Receiving unit code (Circular 10/2016/TT-BTTTT), the prefix of every dossier code. */
    unitCode: z.string().regex(/^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/),
    name: z.string().min(1),
    timeZone: z.string().refine(isKnownTimeZone, 'an IANA time zone'),
    officeHours: z
      .object({
        sessions: z.array(officeSessionSchema).min(1),
        /** ISO weekdays worked, 1 = Monday … 7 = Sunday. */
        weekdays: weekdays.default([1, 2, 3, 4, 5]),
        /** Other office hours for part of the year; they count deadlines and receive alike. */
        seasons: z.array(seasonSchema).max(4).default([]),
      })
      .refine((h) => sessionsAreOrdered(h.sessions), {
        message: 'sessions are in order and do not overlap',
        path: ['sessions'],
      })
      .refine((h) => seasonsAreApart(h.seasons), { message: 'seasons do not overlap', path: ['seasons'] }),
    /** Reception hours where they differ from office hours (absent: the counter receives in office hours only). */
    reception: z.array(receptionRuleSchema).max(7).optional(),
    holidayOverrides: z.array(holidayOverrideSchema).default([]),
    /** What a supplement request does to the clock: pause it, or restart the full time on completion. */
    supplementClock: z.enum(['pause', 'restart']).default('pause'),
    /** Printed on the receipt: where and how the citizen collects the result. */
    resultCollection: z.string().min(1),
    alerts: z
      .object({
        dueSoonHours: z.number().int().min(1).max(168).default(24),
        recipientRoles: z.array(z.enum(['officer', 'specialist', 'leader'])).default(['officer', 'leader']),
        /**
         * Who gets every alert and the daily digest by e-mail (the ward's leaders, its one-stop desk): each address an
         * e-mail subscription of the ward's alert topic, confirmed once by its owner. Assignees get their own alerts at
         * the address of the staff directory besides.
         */
        emails: z.array(z.email()).max(50).default([]),
      })
      .default({ dueSoonHours: 24, recipientRoles: ['officer', 'leader'], emails: [] }),
    portals: z.array(portalSchema).default([]),
    /**
     * Status changes sent to portals: each is tried with growing waits for `retryHorizonHours` after it became the
     * next of its dossier to send (3 days by default, past a long weekend's outage), then marked failed for staff.
     */
    portalSync: z
      .object({
        retryHorizonHours: z
          .number()
          .int()
          .min(1)
          .max(14 * 24)
          .default(72),
      })
      .default({ retryHorizonHours: 72 }),
    /**
     * Citizen feedback (PAKN, Decree 20/2008/NĐ-CP as amended): the working days the ward has to answer, and how much
     * anyone may file without an account. The legal time was not confirmed from the decree's text here: set it to
     * what the province's regulation says.
     */
    feedback: z
      .object({
        resolveWorkingDays: z.number().int().min(1).max(60).default(10),
        perSourcePerHour: z.number().int().min(1).max(1000).default(5),
        perDay: z.number().int().min(1).max(100_000).default(500),
      })
      .default({ resolveWorkingDays: 10, perSourcePerHour: 5, perDay: 500 }),
    /** The staff app's hosted-UI sign-in; without it staff sign in with SRP only and the client has no OAuth. */
    /**
     * Decision 766/QĐ-TTg's target (percent) and points per criterion, as the province applies them: the decision's
     * annex could not be confirmed here (docs/index766.md), so a criterion scores only once the ward gives its target.
     */
    index766Targets: z
      .partialRecord(
        z.enum(index766Groups),
        z
          .object({ target: z.number().gt(0).max(100).optional(), maxPoints: z.number().gt(0).max(100).optional() })
          .strict(),
      )
      .default({}),
    staffApp: staffAppSchema.optional(),
    /** Alarm notifications; a deployed ward needs them (the stack refuses to synthesize without). */
    operations: operationsSchema.optional(),
    documents: documentsSchema.default({ infrequentAccessAfterDays: 90, retentionYears: 10, corsOrigins: [] }),
    /** The staff directory: assignees and departments of `assign` must be in it. */
    staff: z.array(staffMemberSchema).default([]),
    deploy: z.object({
      region: z.string().default('ap-southeast-1'),
      account: z
        .string()
        .regex(/^\d{12}$/)
        .optional(),
      /** Prefix of the Cognito hosted domain where staff sign in through the hosted UI. */
      authDomainPrefix: z.string().regex(/^[a-z0-9-]{3,63}$/),
      /**
       * Reserve (and so cap) concurrency for the functions the blueprint marks, the public lookup first. A new AWS
       * account may allow too little concurrency to reserve any: set false until its quota is raised.
       */
      reserveConcurrency: z.boolean().default(true),
      /**
       * For a ward deployed when its key was a Secrets Manager secret: that secret's ARN (the stack retained it). The
       * new key parameter is created with its text, so receipts' PINs, ETags and cursors stay valid. Read once, when
       * the parameter is created; the secret can be deleted after that deploy.
       */
      wardKeyFromSecret: z
        .string()
        .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/, 'a Secrets Manager secret ARN')
        .optional(),
    }),
    catalog: z.object({
      /** True for the shipped example: its codes, times and fees illustrate, they are not a legal source. */
      sample: z.boolean().default(false),
      procedures: z.array(procedureSchema).min(1),
    }),
  })
  .superRefine((ward, ctx) => {
    const seen = new Set<string>();
    ward.catalog.procedures.forEach((p, i) => {
      if (seen.has(p.code)) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicate procedure code ${p.code}`,
          path: ['catalog', 'procedures', i, 'code'],
        });
      }
      seen.add(p.code);
    });
    // A key id names one key of one portal, so a token's `kid` can never find another portal's key.
    const keyIds = new Set<string>();
    ward.portals.forEach((portal, i) => {
      portal.keys?.keys.forEach((key, k) => {
        if (keyIds.has(key.kid))
          ctx.addIssue({
            code: 'custom',
            message: `duplicate key id ${key.kid}`,
            path: ['portals', i, 'keys', 'keys', k, 'kid'],
          });
        keyIds.add(key.kid);
      });
    });
    const portalIds = new Set<string>();
    ward.portals.forEach((portal, i) => {
      if (portalIds.has(portal.id))
        ctx.addIssue({ code: 'custom', message: `duplicate portal id ${portal.id}`, path: ['portals', i, 'id'] });
      portalIds.add(portal.id);
    });
    const usernames = new Set<string>();
    ward.staff.forEach((m, i) => {
      if (usernames.has(m.username))
        ctx.addIssue({
          code: 'custom',
          message: `duplicate staff username ${m.username}`,
          path: ['staff', i, 'username'],
        });
      usernames.add(m.username);
    });
  });

export type WardConfig = z.output<typeof wardConfigSchema>;
export type WardConfigInput = z.input<typeof wardConfigSchema>;

/** The environment variable that carries the parsed ward configuration into a function (current-ward.ts reads it). */
export const WARD_CONFIG_ENV = 'MOTCUA_WARD_CONFIG';

export function parseWardConfig(input: unknown): WardConfig {
  const result = wardConfigSchema.safeParse(input);
  if (!result.success) {
    throw new Error(`invalid ward configuration:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function sessionsAreOrdered(sessions: { start: string; end: string }[]): boolean {
  return sessions.every((s, i) => i === 0 || sessions[i - 1]!.end <= s.start);
}

/** No day of the year (a leap year's 366) is in two seasons. */
function seasonsAreApart(seasons: { from: string; to: string }[]): boolean {
  const covered = new Set<string>();
  for (const { from, to } of seasons) {
    for (let day = Date.UTC(2024, 0, 1); day < Date.UTC(2025, 0, 1); day += 86_400_000) {
      const md = new Date(day).toISOString().slice(5, 10);
      const inside = from <= to ? md >= from && md <= to : md >= from || md <= to;
      if (!inside) continue;
      if (covered.has(md)) return false;
      covered.add(md);
    }
  }
  return true;
}
