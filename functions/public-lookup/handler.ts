import { putRatingOnce } from '../../shared/adapters/citizen-store.ts';
import { getDossier } from '../../shared/adapters/dossier-store.ts';
import { countAttempt, LOOKUP_ATTEMPTS, refundAttempt } from '../../shared/adapters/lookup-guard.ts';
import { publicStatusOf } from '../../shared/api/views.ts';
import { canBeRated, type Rating } from '../../shared/domain/citizens.ts';
import { DOSSIER_CODE_PATTERN, type Dossier } from '../../shared/domain/dossier.ts';
import { Conflict, NotFound, TooManyRequests } from '../../shared/domain/errors.ts';
import { httpFunction } from '../../shared/http/handler.ts';
import { verifyPin } from '../../shared/security/pin.ts';

/**
 * The dossier of `code` for whoever holds its receipt PIN, or the same 404 for a wrong PIN and an unknown code.
 * Counted whether or not the dossier exists, before the PIN is looked at: an unknown code locks like a known one.
 */
async function dossierForPin(code: string, pin: string, now: number): Promise<Dossier> {
  // A code of another shape cannot exist: nothing to count, nothing to read.
  if (!DOSSIER_CODE_PATTERN.test(code)) throw new NotFound('public_lookup_failed');
  const [attempt, dossier] = await Promise.all([countAttempt(code, now), getDossier(code)]);
  if (attempt.count > LOOKUP_ATTEMPTS) throw new TooManyRequests('lookup_locked', (attempt.windowEndsAt - now) / 1000);
  const matches = verifyPin(code, pin, dossier?.pinHash);
  if (!dossier || !matches) throw new NotFound('public_lookup_failed');
  await refundAttempt(code);
  return dossier;
}

export const handler = httpFunction('public-lookup', {
  'GET /public/dossiers/{code}': async ({ params, query, locale, receivedAt: now }) => {
    const dossier = await dossierForPin(params.code, query.pin, now);
    return { status: 200, body: publicStatusOf(dossier, locale), headers: { 'cache-control': 'no-store' } };
  },
  'POST /public/dossiers/{code}/rating': async ({ params, body, receivedAt: now }) => {
    const dossier = await dossierForPin(params.code, body.pin, now);
    // Only the PIN's holder learns this: the status is theirs to see anyway.
    if (!canBeRated(dossier)) throw new Conflict('rating_not_returned', { code: dossier.code });
    const rating: Rating = {
      code: dossier.code,
      level: body.rating,
      ...(body.comment ? { comment: body.comment } : {}),
      ratedAt: new Date(now).toISOString(),
      procedure: { code: dossier.procedure.code, fieldCode: dossier.procedure.fieldCode },
    };
    if (!(await putRatingOnce(rating))) throw new Conflict('rating_exists', { code: dossier.code });
    return {
      status: 201,
      body: { code: rating.code, rating: rating.level, ratedAt: rating.ratedAt },
      headers: { 'cache-control': 'no-store' },
    };
  },
});
