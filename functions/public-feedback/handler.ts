import { randomInt } from 'node:crypto';
import { countInWindow, createFeedback, getFeedback } from '../../shared/adapters/citizen-store.ts';
import { countAttempt, LOOKUP_ATTEMPTS, refundAttempt } from '../../shared/adapters/lookup-guard.ts';
import { publicFeedbackOf } from '../../shared/api/feedback-views.ts';
import { wardCalendar } from '../../shared/config/calendar.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import { FEEDBACK_CODE_PATTERN, fileFeedback } from '../../shared/domain/citizens.ts';
import { NotFound, TooManyRequests } from '../../shared/domain/errors.ts';
import { httpFunction } from '../../shared/http/handler.ts';
import { hashPin, receiptPin, sourceKey, verifyPin } from '../../shared/security/pin.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
// Crockford's base32: no I, L, O or U to misread when a citizen types the code from paper.
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Codes drawn before giving up on a free one: with 2^50 codes, a second draw is already a rarity. */
const CODE_DRAWS = 3;

const drawCode = () => `PAKN-${Array.from({ length: 10 }, () => CODE_ALPHABET[randomInt(0, 32)]).join('')}`;

export const handler = httpFunction('public-feedback', {
  'POST /public/feedback': async ({ body, sourceIp, receivedAt: now }) => {
    const limits = wardConfig().feedback;
    // The source's own window first, so one address flooding spends its own budget, not the ward's; the address is
    // kept only as a keyed hash, and only for its window.
    const fromSource = await countInWindow(`feedback-source#${sourceKey(sourceIp)}`, HOUR_MS, now);
    if (fromSource > limits.perSourcePerHour)
      throw new TooManyRequests('feedback_source_limit', (HOUR_MS - (now % HOUR_MS)) / 1000);
    const today = await countInWindow('feedback-ward', DAY_MS, now);
    if (today > limits.perDay) throw new TooManyRequests('feedback_daily_limit', (DAY_MS - (now % DAY_MS)) / 1000);
    for (let draw = 0; draw < CODE_DRAWS; draw++) {
      const code = drawCode();
      const pin = receiptPin('feedback', undefined, code);
      const { feedback, step } = fileFeedback({
        code,
        content: body.content,
        contact: body.contact,
        dossierCode: body.dossierCode,
        pinHash: hashPin(code, pin),
        now,
        deadlines: limits,
        calendar: wardCalendar(),
      });
      if (await createFeedback(feedback, step))
        return {
          status: 201,
          body: { code, pin, status: feedback.status, filedAt: feedback.filedAt, dueAt: feedback.dueAt },
          headers: { 'cache-control': 'no-store', location: `/public/feedback/${code}` },
        };
    }
    throw new Error('no free feedback code after three draws');
  },
  'GET /public/feedback/{code}': async ({ params, query, receivedAt: now }) => {
    if (!FEEDBACK_CODE_PATTERN.test(params.code)) throw new NotFound('feedback_lookup_failed');
    // As for dossiers: counted before the PIN is looked at, known code or not.
    const [attempt, feedback] = await Promise.all([countAttempt(params.code, now), getFeedback(params.code)]);
    if (attempt.count > LOOKUP_ATTEMPTS)
      throw new TooManyRequests('lookup_locked', (attempt.windowEndsAt - now) / 1000);
    const matches = verifyPin(params.code, query.pin, feedback?.pinHash);
    if (!feedback || !matches) throw new NotFound('feedback_lookup_failed');
    await refundAttempt(params.code);
    return { status: 200, body: publicFeedbackOf(feedback), headers: { 'cache-control': 'no-store' } };
  },
});
