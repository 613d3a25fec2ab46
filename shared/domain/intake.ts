import type { WorkingCalendar } from './calendar.ts';
import { assertComplete, type Procedure, processingMinutes } from './catalog.ts';
import { dueAt as dueAfter } from './deadline.ts';
import type { Actor, Applicant, Channel, ControlSlipEntry, Dossier, PaymentMethod } from './dossier.ts';
import { type FieldViolation, RuleBroken, ValidationFailed } from './errors.ts';
import { paymentRuleBroken } from './payment.ts';
import { allMandatoryDigitised } from './report.ts';

/** A filing, as the intake schema (shared/api/intake.ts) hands it over. */
export interface IntakeInput {
  procedureCode: string;
  channel: Channel;
  applicant: Applicant;
  /** Codes of the components (papers or files) supplied. */
  components: string[];
  payment?:
    | {
        method: PaymentMethod;
        /** True when the fee was paid at filing (online payment platform, or cash at the counter). */
        paid: boolean;
        transactionRef?: string | undefined;
        legalBasis?: string | undefined;
      }
    | undefined;
  note?: string | undefined;
}

export interface IntakeContext {
  now: number;
  calendar: WorkingCalendar;
  code: string;
  actor: Actor;
  pinHash: string;
}

/**
 * Checks a filing against the catalog and the caller: each broken rule is a named field violation (400),
 * all found together; then missing mandatory components, and a payment that breaks a rule of the fee
 * (an exemption without its legal basis, an online payment without its transaction…), are a 422.
 * Nothing here writes.
 */
export function checkIntake(input: IntakeInput, procedure: Procedure | undefined, actor: Actor): void {
  const violations: FieldViolation[] = [];
  if (!procedure)
    violations.push({
      in: 'body',
      field: 'procedureCode',
      rule: 'unknown_procedure',
      message: 'unknown_procedure',
      params: { code: input.procedureCode },
    });
  if (actor.kind === 'portal' && input.channel !== 'online') {
    violations.push({ in: 'body', field: 'channel', rule: 'portal_files_online', message: 'portal_files_online' });
  }
  if (actor.kind === 'staff' && input.channel === 'online') {
    violations.push({
      in: 'body',
      field: 'channel',
      rule: 'counter_files_in_person_or_postal',
      message: 'counter_files_in_person_or_postal',
    });
  }
  if (procedure) {
    input.components.forEach((code, i) => {
      if (!procedure.components.some((c) => c.code === code)) {
        violations.push({
          in: 'body',
          field: `components.${i}`,
          rule: 'unknown_component',
          message: 'unknown_component',
          params: { code, procedure: procedure.code },
        });
      }
    });
    if (input.channel === 'online' && procedure.onlineLevel === 'none') {
      violations.push({
        in: 'body',
        field: 'channel',
        rule: 'no_online_service',
        message: 'no_online_service',
        params: { procedure: procedure.code },
      });
    }
    if (procedure.feeVnd > 0 && !input.payment) {
      violations.push({
        in: 'body',
        field: 'payment',
        rule: 'payment_required',
        message: 'payment_required',
        params: { fee: procedure.feeVnd },
      });
    }
    if (procedure.feeVnd === 0 && input.payment && input.payment.method !== 'exempt') {
      violations.push({ in: 'body', field: 'payment', rule: 'no_fee', message: 'no_fee' });
    }
  }
  if (violations.length > 0) throw new ValidationFailed(violations);
  assertComplete(procedure!, input.components);
  const payment = input.payment;
  if (payment && procedure!.feeVnd > 0) {
    const { method, paid, transactionRef, legalBasis } = payment;
    // A fee paid at filing is the fee itself: the amount is the catalog's.
    const amountVnd = paid ? procedure!.feeVnd : undefined;
    const broken = paymentRuleBroken(
      procedure!.feeVnd,
      { method, paid, amountVnd, transactionRef, legalBasis, byPortal: actor.kind === 'portal' },
      (name) => `payment.${name}`,
    );
    if (broken) throw new RuleBroken(broken, { feeVnd: procedure!.feeVnd });
  }
}

/**
 * The new dossier and its first control-slip row: an online dossier waits as `submitted` for the one-stop
 * officer; one filed at the counter or by post is `received` at once and its clock starts.
 */
export function openDossier(
  input: IntakeInput,
  procedure: Procedure,
  ctx: IntakeContext,
): { dossier: Dossier; slip: ControlSlipEntry } {
  const at = new Date(ctx.now).toISOString();
  const minutes = processingMinutes(procedure.processingTime);
  const online = input.channel === 'online';
  const dueAt = online ? undefined : new Date(dueAfter(ctx.calendar, ctx.now, procedure.processingTime)).toISOString();
  const codes = [...new Set(input.components)];
  const components = codes.map((code) => {
    const c = procedure.components.find((p) => p.code === code)!;
    return { code, name: c.name, mandatory: c.mandatory };
  });
  const paid =
    procedure.feeVnd > 0 && input.payment !== undefined && input.payment.method !== 'exempt' && input.payment.paid;
  const exemption = procedure.feeVnd > 0 && input.payment?.method === 'exempt' ? input.payment.legalBasis : undefined;
  const dossier: Dossier = {
    code: ctx.code,
    version: 1,
    status: online ? 'submitted' : 'received',
    procedure: {
      code: procedure.code,
      name: procedure.name,
      fieldCode: procedure.field.code,
      fieldName: procedure.field.name,
      onlineLevel: procedure.onlineLevel,
    },
    processingMinutes: minutes,
    channel: input.channel,
    ...(ctx.actor.kind === 'portal' ? { portalId: ctx.actor.id } : {}),
    applicant: input.applicant,
    components,
    // Nothing mandatory to digitise: digitised from the start, as the document writes would otherwise never say so.
    ...(allMandatoryDigitised({ components }) ? { digitisedAt: at } : {}),
    fee: {
      amountVnd: procedure.feeVnd,
      method: procedure.feeVnd > 0 ? (input.payment?.method ?? null) : null,
      ...(paid ? { paidAt: at, paidAmountVnd: procedure.feeVnd } : {}),
      ...(paid && input.payment?.transactionRef ? { transactionRef: input.payment.transactionRef } : {}),
      ...(exemption ? { legalBasis: exemption } : {}),
    },
    filedAt: at,
    ...(online ? {} : { receivedAt: at, dueAt, originalDueAt: dueAt }),
    apologies: [],
    pinHash: ctx.pinHash,
  };
  const slip: ControlSlipEntry = {
    seq: 1,
    action: online ? 'submit' : 'receive',
    actor: ctx.actor,
    fromStatus: null,
    toStatus: dossier.status,
    at,
    ...(input.note ? { note: input.note } : {}),
    ...(exemption ? { payment: { method: 'exempt' as const, legalBasis: exemption } } : {}),
    ...(paid
      ? {
          payment: {
            method: input.payment!.method,
            amountVnd: procedure.feeVnd,
            ...(input.payment!.transactionRef ? { transactionRef: input.payment!.transactionRef } : {}),
          },
        }
      : {}),
    withinDeadline: online ? null : true,
  };
  return { dossier, slip };
}
