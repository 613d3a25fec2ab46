import type { WardConfig } from './ward.ts';

/** The message attribute an alert names its assignee in; a member's subscription lets only theirs through. */
export const ASSIGNEE_ATTRIBUTE = 'assignee';

/** One e-mail subscription of the alerts topic: the ward's addresses get everything, a member only their alerts. */
export interface AlertSubscription {
  email: string;
  /** SNS filter policy on the message attributes (absent: every message). */
  filterPolicy?: Record<typeof ASSIGNEE_ATTRIBUTE, string[]>;
}

/**
 * The subscriptions the ward configuration asks for, for the stack and the local runner alike: one per address of
 * `alerts.emails`, and one per staff address, filtered to the alerts of the members who have it. A staff address
 * that is also a ward address gets everything already, so it gets no second subscription (SNS allows one per
 * address and topic anyway); members sharing an address share its subscription.
 */
export function alertSubscriptions(ward: Pick<WardConfig, 'alerts' | 'staff'>): AlertSubscription[] {
  const everything = new Set(ward.alerts.emails.map((e) => e.toLowerCase()));
  const byAddress = new Map<string, { email: string; usernames: string[] }>();
  for (const member of ward.staff) {
    if (!member.email || everything.has(member.email.toLowerCase())) continue;
    const key = member.email.toLowerCase();
    const entry = byAddress.get(key) ?? { email: member.email, usernames: [] };
    entry.usernames.push(member.username);
    byAddress.set(key, entry);
  }
  return [
    ...[...new Set(ward.alerts.emails)].map((email) => ({ email })),
    ...[...byAddress.values()].map(({ email, usernames }) => ({
      email,
      filterPolicy: { [ASSIGNEE_ATTRIBUTE]: usernames },
    })),
  ];
}
