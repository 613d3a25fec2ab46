import type { Feedback, FeedbackActionName, FeedbackStep } from '../domain/citizens.ts';

// The views of feedback items, as the routes' schemas (citizens.ts) describe them. No zod: the functions bundle this.

/** What the sender sees with the code and PIN: the progress and the published answer, never the contact. */
export function publicFeedbackOf(feedback: Feedback) {
  return {
    code: feedback.code,
    status: feedback.status,
    filedAt: feedback.filedAt,
    dueAt: feedback.dueAt,
    question: feedback.status === 'awaiting_information' ? (feedback.question ?? null) : null,
    refusalReason: feedback.refusalReason ?? null,
    // An answer is the sender's to read once a leader has published it, not while it is a draft.
    answer: feedback.status === 'published' ? (feedback.answer ?? null) : null,
    publishedAt: feedback.publishedAt ?? null,
  };
}

export function feedbackViewOf(feedback: Feedback, history: FeedbackStep[], allowedActions: FeedbackActionName[]) {
  return {
    code: feedback.code,
    version: feedback.version,
    status: feedback.status,
    content: feedback.content,
    contact: feedback.contact,
    dossierCode: feedback.dossierCode ?? null,
    filedAt: feedback.filedAt,
    dueAt: feedback.dueAt,
    question: feedback.question ?? null,
    refusalReason: feedback.refusalReason ?? null,
    answer: feedback.answer ?? null,
    resolvedAt: feedback.resolvedAt ?? null,
    resolvedOnTime: feedback.resolvedOnTime ?? null,
    publishedAt: feedback.publishedAt ?? null,
    allowedActions,
    history,
  };
}
