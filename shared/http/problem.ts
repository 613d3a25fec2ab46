import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod';
import en from 'zod/v4/locales/en.js';
import vi from 'zod/v4/locales/vi.js';
import { DomainError, type ErrorKind, type FieldViolation, RuleBroken, ValidationFailed } from '../domain/errors.ts';
import { type Locale, message, problemTitles } from './messages.ts';

const statusOf: Record<ErrorKind, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  action_not_allowed: 409,
  conflict: 409,
  version_mismatch: 412,
  not_acceptable: 406,
  unsupported_media_type: 415,
  unprocessable: 422,
  precondition_required: 428,
  too_many_requests: 429,
  unavailable: 503,
};

// Each locale on its own: z.locales would bundle all of zod's fifty into every HTTP function.
const zodLocales = { vi: vi().localeError, en: en().localeError } as const;

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  correlationId: string;
  errors?: { in: FieldViolation['in']; field: string; pointer: string; rule: string; message: string }[];
  [extension: string]: unknown;
}

/** Field violations from a failed zod parse; our own rules carry a message key, zod's are localized later. */
export function violationsFromZod(error: z.ZodError, where: FieldViolation['in']): FieldViolation[] {
  return error.issues.map((issue) => {
    const ours = message(issue.message, 'en') !== undefined;
    return {
      in: where,
      field: issue.path.map(String).join('.'),
      rule: ours ? issue.message : ruleOf(issue),
      ...(ours
        ? { message: issue.message, ...(issue.code === 'custom' && issue.params ? { params: issue.params } : {}) }
        : { zodIssue: issue }),
    };
  });
}

function ruleOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_format') return `format:${issue.format}`;
  if (issue.code === 'invalid_type') return `type:${issue.expected}`;
  return issue.code;
}

function violationText(v: FieldViolation & { zodIssue?: z.core.$ZodIssue }, locale: Locale): string {
  if (v.message) return message(v.message, locale, v.params) ?? v.message;
  if (v.zodIssue) {
    const localized = zodLocales[locale](v.zodIssue as never);
    const text = typeof localized === 'string' ? localized : localized?.message;
    return text ?? v.zodIssue.message;
  }
  return v.rule;
}

/**
 * How much of what a client sent a problem echoes back (a field name, the unknown members a zod message lists):
 * a 10 MB body of unknown members once came back as a larger answer than a function may return (6 MB), which the
 * gateway turns into a 500.
 */
const MAX_LISTED_ERRORS = 50;
const MAX_ECHOED_CHARS = 500;

function clip(text: string): string {
  if (text.length <= MAX_ECHOED_CHARS) return text;
  const cut = text.slice(0, MAX_ECHOED_CHARS - 1);
  // Never half of a surrogate pair.
  return `${/[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

const pointerOf = (field: string) =>
  field === ''
    ? ''
    : `/${field
        .split('.')
        .map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1'))
        .join('/')}`;

/** The one place where an error becomes an HTTP answer. Unknown errors reveal nothing but the correlation id. */
export function problemFor(error: unknown, locale: Locale, correlationId: string, instance?: string): ProblemDocument {
  if (error instanceof DomainError) {
    const doc: ProblemDocument = {
      ...error.extensions,
      type: `urn:motcua:problem:${error.kind}`,
      title: problemTitles[error.kind][locale],
      status: statusOf[error.kind],
      detail: message(error.messageKey, locale, error.params) ?? error.messageKey,
      correlationId,
    };
    if (instance) doc.instance = instance;
    if (error instanceof ValidationFailed || error instanceof RuleBroken) {
      doc.errors = error.violations.slice(0, MAX_LISTED_ERRORS).map((v) => ({
        in: v.in,
        field: clip(v.field),
        pointer: clip(pointerOf(v.field)),
        rule: v.rule,
        message: clip(violationText(v, locale)),
      }));
    }
    return doc;
  }
  return {
    type: 'urn:motcua:problem:internal',
    title: problemTitles.internal[locale],
    status: 500,
    detail: message('internal', locale, { correlationId })!,
    correlationId,
  };
}

export function problemResponse(
  doc: ProblemDocument,
  locale: Locale,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: doc.status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', 'content-language': locale, ...headers },
    body: JSON.stringify(doc),
  };
}
