import { getDossier } from '../../shared/adapters/dossier-store.ts';
import { countAttempt, LOOKUP_ATTEMPTS, refundAttempt } from '../../shared/adapters/lookup-guard.ts';
import { publicStatusOf } from '../../shared/api/views.ts';
import { DOSSIER_CODE_PATTERN } from '../../shared/domain/dossier.ts';
import { NotFound, TooManyRequests } from '../../shared/domain/errors.ts';
import { httpFunction } from '../../shared/http/handler.ts';
import { verifyPin } from '../../shared/security/pin.ts';

export const handler = httpFunction('public-lookup', {
  'GET /public/dossiers/{code}': async ({ params, query, locale, receivedAt: now }) => {
    // A code of another shape cannot exist: nothing to count, nothing to read.
    if (!DOSSIER_CODE_PATTERN.test(params.code)) throw new NotFound('public_lookup_failed');
    // Counted whether or not the dossier exists, before the PIN is looked at: an unknown code locks like a known one.
    const [attempt, dossier] = await Promise.all([countAttempt(params.code, now), getDossier(params.code)]);
    if (attempt.count > LOOKUP_ATTEMPTS)
      throw new TooManyRequests('lookup_locked', (attempt.windowEndsAt - now) / 1000);
    const matches = verifyPin(params.code, query.pin, dossier?.pinHash);
    if (!dossier || !matches) throw new NotFound('public_lookup_failed');
    await refundAttempt(params.code);
    return { status: 200, body: publicStatusOf(dossier, locale), headers: { 'cache-control': 'no-store' } };
  },
});
