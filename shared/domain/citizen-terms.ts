/**
 * The words of ratings and feedback that requests, events and views name, apart from their workflow (citizens.ts), so
 * a bundle that only names them carries no more.
 */

/**
 * The three levels of the national portal's satisfaction survey. DOMAIN.md names satisfaction ratings among the
 * figures without defining "satisfied"; Decision 766 scores satisfaction as a rate, and we count satisfied as very
 * satisfied plus satisfied, the one level that is not is dissatisfied.
 */
export const ratingLevels = ['very_satisfied', 'satisfied', 'dissatisfied'] as const;
export type RatingLevel = (typeof ratingLevels)[number];

/** Feedback codes: PAKN- and ten Crockford base32 characters, drawn at random (not a sequence one could walk). */
export const FEEDBACK_CODE_PATTERN = /^PAKN-[0-9A-HJKMNP-TV-Z]{10}$/;

export const feedbackStatuses = [
  'received',
  'accepted',
  'awaiting_information',
  'resolved',
  'published',
  'refused',
] as const;
export type FeedbackStatus = (typeof feedbackStatuses)[number];

export const feedbackActions = [
  'accept',
  'refuse',
  'request_information',
  'information_received',
  'resolve',
  'publish',
] as const;
export type FeedbackActionName = (typeof feedbackActions)[number];
