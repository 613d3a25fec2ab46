import {
  feedbackHistory,
  listFeedback,
  requireFeedback,
  saveFeedbackStep,
} from '../../shared/adapters/citizen-store.ts';
import { feedbackViewOf } from '../../shared/api/feedback-views.ts';
import { wardCalendar } from '../../shared/config/calendar.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import {
  actOnFeedback,
  allowedFeedbackActions,
  type Feedback,
  type FeedbackActor,
  feedbackRules,
} from '../../shared/domain/citizens.ts';
import { actorsOf } from '../../shared/http/actors.ts';
import type { Principal } from '../../shared/http/auth.ts';
import { httpFunction } from '../../shared/http/handler.ts';

const staffActors = (principal: Principal): FeedbackActor[] =>
  actorsOf(principal).flatMap((a) => (a.kind === 'staff' ? [{ id: a.username, name: a.name, role: a.role }] : []));

/** The steps the caller's roles may take now. */
const allowedFor = (feedback: Feedback, principal: Principal) => {
  const roles = staffActors(principal).map((a) => a.role);
  return allowedFeedbackActions(feedback.status).filter((a) => feedbackRules[a].roles.some((r) => roles.includes(r)));
};

export const handler = httpFunction('feedback', {
  'GET /feedback': async ({ query }) => ({ status: 200, body: await listFeedback(query) }),
  'GET /feedback/{code}': async ({ params, principal }) => {
    const [feedback, history] = await Promise.all([requireFeedback(params.code), feedbackHistory(params.code)]);
    return { status: 200, body: feedbackViewOf(feedback, history, allowedFor(feedback, principal)) };
  },
  'POST /feedback/{code}/actions': async ({ params, body, principal, receivedAt: now }) => {
    const before = await requireFeedback(params.code);
    const { feedback, step } = actOnFeedback(
      before,
      body,
      staffActors(principal),
      now,
      wardCalendar(),
      wardConfig().timeZone,
    );
    await saveFeedbackStep(before, feedback, step);
    const history = await feedbackHistory(params.code);
    return { status: 200, body: feedbackViewOf(feedback, history, allowedFor(feedback, principal)) };
  },
});
