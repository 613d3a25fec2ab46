import { getDossier } from '../../shared/adapters/dossier-store.ts';
import { publicStatusOf } from '../../shared/api/views.ts';
import { DOSSIER_CODE_PATTERN } from '../../shared/domain/dossier.ts';
import { NotFound } from '../../shared/domain/errors.ts';
import { httpFunction } from '../../shared/http/handler.ts';
import { verifyPin } from '../../shared/security/pin.ts';

export const handler = httpFunction('public-lookup', {
  'GET /public/dossiers/{code}': async ({ params, query, locale }) => {
    const dossier = DOSSIER_CODE_PATTERN.test(params.code) ? await getDossier(params.code) : undefined;
    // The PIN is checked (slowly) even for an unknown code, so the two cannot be told apart.
    const matches = await verifyPin(query.pin, dossier?.pinHash);
    if (!dossier || !matches) throw new NotFound('public_lookup_failed');
    return { status: 200, body: publicStatusOf(dossier, locale), headers: { 'cache-control': 'no-store' } };
  },
});
