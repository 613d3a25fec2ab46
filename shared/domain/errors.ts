/**
 * The one error hierarchy. Domain code throws these; the HTTP layer maps each kind to a status and a
 * problem+json body (shared/http/problem.ts), in Vietnamese or English. `params` fill the message.
 */
export type ErrorKind =
  | 'validation_failed'
  | 'not_found'
  | 'unauthenticated'
  | 'forbidden'
  | 'action_not_allowed'
  | 'version_mismatch'
  | 'precondition_required'
  | 'unprocessable'
  | 'unsupported_media_type'
  | 'not_acceptable'
  | 'conflict'
  | 'too_many_requests'
  | 'unavailable';

export interface FieldViolation {
  /** Where the value was: the body, the query string, a path parameter or a header. */
  in: 'body' | 'query' | 'path' | 'header';
  /** Dotted path of the field, e.g. `applicant.idNumber`; empty for the whole document. */
  field: string;
  /** The rule broken: a zod issue code or one of ours (e.g. `citizen_id`). */
  rule: string;
  /** Set when the message is ours (a key of the message catalog); otherwise the localized zod message is used. */
  message?: string;
  /** Values for the message template. */
  params?: Record<string, unknown>;
}

export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
  /** Key of the message catalog that explains this error to a person. */
  readonly messageKey: string;
  readonly params: Record<string, unknown>;
  /** Extra members for the problem document (current status, allowed actions, missing components…). */
  readonly extensions: Record<string, unknown>;

  constructor(messageKey: string, params: Record<string, unknown> = {}, extensions: Record<string, unknown> = {}) {
    super(messageKey);
    this.name = new.target.name;
    this.messageKey = messageKey;
    this.params = params;
    this.extensions = extensions;
  }
}

export class ValidationFailed extends DomainError {
  readonly kind = 'validation_failed';
  readonly violations: FieldViolation[];
  constructor(violations: FieldViolation[]) {
    super('validation_failed', { count: violations.length });
    this.violations = violations;
  }
}

export class NotFound extends DomainError {
  readonly kind = 'not_found';
}

export class Unauthenticated extends DomainError {
  readonly kind = 'unauthenticated';
}

export class Forbidden extends DomainError {
  readonly kind = 'forbidden';
}

/** The action is not allowed from the dossier's current status, or not to this role. */
export class ActionNotAllowed extends DomainError {
  readonly kind = 'action_not_allowed';
}

/** The version the caller saw (If-Match) is not the current one. */
export class VersionMismatch extends DomainError {
  readonly kind = 'version_mismatch';
}

export class PreconditionRequired extends DomainError {
  readonly kind = 'precondition_required';
}

/** Well-formed, but the request cannot be carried out (an incomplete dossier, a reused idempotency key…). */
export class Unprocessable extends DomainError {
  readonly kind = 'unprocessable';
}

/** Well-formed, but one field breaks a rule of the workflow (a payment that is not the fee…): 422 naming it. */
export class RuleBroken extends Unprocessable {
  readonly violations: FieldViolation[];
  constructor(violation: FieldViolation, extensions: Record<string, unknown> = {}) {
    super(violation.message ?? violation.rule, violation.params ?? {}, extensions);
    this.violations = [violation];
  }
}

export class UnsupportedMediaType extends DomainError {
  readonly kind = 'unsupported_media_type';
}

/** The Accept header asks for no media type the route answers in (406); `available` lists those it does. */
export class NotAcceptable extends DomainError {
  readonly kind = 'not_acceptable';
  constructor(available: readonly string[]) {
    super('media_type_not_acceptable', { available: available.join(', ') }, { available: [...available] });
  }
}

export class Conflict extends DomainError {
  readonly kind = 'conflict';
}

/** Too many attempts (a wrong lookup PIN, say): wait `retryAfterSeconds` before trying again (429). */
export class TooManyRequests extends DomainError {
  readonly kind = 'too_many_requests';
  readonly retryAfterSeconds: number;
  constructor(messageKey: string, retryAfterSeconds: number, params: Record<string, unknown> = {}) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(messageKey, { ...params, retryAfterSeconds: seconds });
    this.retryAfterSeconds = seconds;
  }
}

/** The service cannot answer in time now (busy, or out of time before the function's timeout): retry soon (503). */
export class ServiceUnavailable extends DomainError {
  readonly kind = 'unavailable';
  readonly retryAfterSeconds: number;
  constructor(messageKey: string, retryAfterSeconds = 1, params: Record<string, unknown> = {}) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(messageKey, { ...params, retryAfterSeconds: seconds });
    this.retryAfterSeconds = seconds;
  }
}

/** Response headers an error asks for: Retry-After on 429 and 503. */
export function errorHeaders(error: unknown): Record<string, string> {
  if (error instanceof TooManyRequests || error instanceof ServiceUnavailable)
    return { 'retry-after': String(error.retryAfterSeconds) };
  return {};
}
