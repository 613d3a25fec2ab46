import {
  feedbackHistory,
  listFeedback,
  requireFeedback,
  saveFeedbackStep,
} from '../../shared/adapters/citizen-store.ts';
import { feedbackViewOf } from '../../shared/api/feedback-views.ts';
import { wardCalendar } from '../../shared/config/calendar.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import { actOnFeedback, allowedFeedbackActions, type Feedback } from '../../shared/domain/citizens.ts';
import { actorsOf } from '../../shared/http/actors.ts';
import type { Principal } from '../../shared/http/auth.ts';
import { httpFunction } from '../../shared/http/handler.ts';

/** The steps the caller's roles may take now. */
const allowedFor = (feedback: Feedback, principal: Principal) => allowedFeedbackActions(feedback, actorsOf(principal));

export const handler = httpFunction('feedback', {
  'GET /feedback': async ({ query }) => ({ status: 200, body: await listFeedback(query) }),
  'GET /feedback/{code}': async ({ params, principal }) => {
    const [feedback, history] = await Promise.all([requireFeedback(params.code), feedbackHistory(params.code)]);
    return { status: 200, body: feedbackViewOf(feedback, history, allowedFor(feedback, principal)) };
  },
  'POST /feedback/{code}/actions': async ({ params, body, principal, receivedAt: now }) => {
    const before = await requireFeedback(params.code);
    const { feedback, step } = actOnFeedback(before, body, actorsOf(principal), {
      now,
      calendar: wardCalendar(),
      staff: wardConfig().staff,
      timeZone: wardConfig().timeZone,
    });
    await saveFeedbackStep(before, feedback, step);
    const history = await feedbackHistory(params.code);
    return { status: 200, body: feedbackViewOf(feedback, history, allowedFor(feedback, principal)) };
  },
});
