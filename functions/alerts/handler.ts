import { inbox } from '../../shared/adapters/alert-store.ts';
import { deadlineDigestAt } from '../../shared/adapters/deadline-lists.ts';
import { httpFunction } from '../../shared/http/handler.ts';

export const handler = httpFunction('alerts', {
  'GET /alerts': async ({ query, principal }) => {
    const roles = principal.kind === 'staff' ? principal.roles : [];
    const perRole = await Promise.all(
      roles.map(async (role) => (await inbox(role, query.limit)).map((alert) => ({ ...alert, role }))),
    );
    // Newest first across the caller's roles; an alert delivered to two of them is shown once.
    const seen = new Set<string>();
    const items = perRole
      .flat()
      .sort((a, b) => b.detectedAt.localeCompare(a.detectedAt))
      .filter((a) => {
        const key = `${a.code}#${a.kind}#${a.dueAt}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .slice(0, query.limit);
    return { status: 200, body: { items }, headers: { 'cache-control': 'no-store' } };
  },
  'GET /deadlines': async ({ receivedAt }) => ({
    status: 200,
    body: await deadlineDigestAt(receivedAt),
    headers: { 'cache-control': 'no-store' },
  }),
});
