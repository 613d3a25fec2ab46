import type { PaymentMethod } from './dossier.ts';
import type { FieldViolation } from './errors.ts';

/** A payment as a client states it, at intake or with `record_payment`. */
export interface PaymentClaim {
  method: PaymentMethod;
  /** Money changed hands: an exemption never, a recorded cash or online payment always. */
  paid: boolean;
  amountVnd: number | undefined;
  transactionRef: string | undefined;
  legalBasis: string | undefined;
  /** Stated by a portal rather than at the counter: a portal never sees cash change hands. */
  byPortal: boolean;
}

/**
 * The first rule of the fee a payment breaks, or undefined. A payment is the fee exactly; online, it names
 * its transaction; an exemption (miễn phí, lệ phí) names its legal basis and carries no money and no
 * transaction; only an exemption has a legal basis; cash is taken at the counter, so no portal says it was paid
 * (that would also pass a payment off without the transaction an online one needs). `field` places the field in
 * the request body.
 */
export function paymentRuleBroken(
  feeVnd: number,
  payment: PaymentClaim,
  field: (name: string) => string = (name) => name,
): FieldViolation | undefined {
  const broken = (name: string, rule: string, params: Record<string, unknown> = {}): FieldViolation => ({
    in: 'body',
    field: field(name),
    rule,
    message: rule,
    params,
  });
  if (payment.method === 'exempt') {
    if (payment.legalBasis === undefined) return broken('legalBasis', 'exemption_legal_basis');
    if (payment.paid) return broken('paid', 'exemption_not_paid');
    if (payment.amountVnd !== undefined && payment.amountVnd !== 0)
      return broken('amountVnd', 'exemption_without_amount');
    if (payment.transactionRef !== undefined) return broken('transactionRef', 'exemption_without_transaction');
    return undefined;
  }
  if (payment.legalBasis !== undefined) return broken('legalBasis', 'legal_basis_only_for_exemption');
  if (!payment.paid) return undefined;
  if (payment.method === 'cash' && payment.byPortal) return broken('method', 'cash_paid_at_counter');
  if (payment.amountVnd !== feeVnd)
    return broken('amountVnd', 'payment_amount_equals_fee', { fee: feeVnd, amount: payment.amountVnd ?? '—' });
  if (payment.method === 'online' && payment.transactionRef === undefined)
    return broken('transactionRef', 'online_payment_reference');
  return undefined;
}
