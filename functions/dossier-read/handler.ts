import { listDeadlineDossiers } from '../../shared/adapters/deadline-lists.ts';
import { controlSlip, getDossier, listDossiers } from '../../shared/adapters/dossier-store.ts';
import { dossierViewOf, worklistItemOf } from '../../shared/api/views.ts';
import { wardConfig } from '../../shared/config/current-ward.ts';
import type { Dossier } from '../../shared/domain/dossier.ts';
import { NotFound } from '../../shared/domain/errors.ts';
import { workflowStateOf } from '../../shared/domain/workflow.ts';
import { instantAt } from '../../shared/domain/zoned-time.ts';
import { actorsOf } from '../../shared/http/actors.ts';
import type { Principal } from '../../shared/http/auth.ts';
import { etagOf } from '../../shared/http/etag.ts';
import { httpFunction } from '../../shared/http/handler.ts';

/** A portal sees only what it filed; to it, anything else does not exist. */
async function visibleDossier(code: string, principal: Principal): Promise<Dossier> {
  const dossier = await getDossier(code);
  if (!dossier || (principal.kind === 'portal' && dossier.portalId !== principal.portalId)) {
    throw new NotFound('dossier_not_found', { code });
  }
  return dossier;
}

export const handler = httpFunction('dossier-read', {
  'GET /dossiers': async ({ query, principal, receivedAt: now }) => {
    const ward = wardConfig();
    const actors = actorsOf(principal);
    const dueBefore =
      query.dueBefore === undefined
        ? undefined
        : query.dueBefore.length === 10
          ? new Date(instantAt(query.dueBefore, 0, ward.timeZone)).toISOString()
          : new Date(query.dueBefore).toISOString();
    const overdue = query.overdue === 'true';
    const dueSoon = query.dueSoon === 'true';
    // By deadline: ranges of the byStatusDue index (shared/adapters/deadline-lists.ts), soonest due first.
    const page =
      overdue || dueSoon
        ? await listDeadlineDossiers({
            overdue,
            dueSoon,
            now,
            dueSoonHours: ward.alerts.dueSoonHours,
            status: query.status,
            field: query.field,
            assignee: query.assignee === 'me' && principal.kind === 'staff' ? principal.username : query.assignee,
            channel: query.channel,
            portalId: principal.kind === 'portal' ? principal.portalId : undefined,
            limit: query.limit,
            cursor: query.cursor,
          })
        : await listDossiers({
            status: query.status,
            field: query.field,
            // `assignee=me`: a specialist's own worklist.
            assignee: query.assignee === 'me' && principal.kind === 'staff' ? principal.username : query.assignee,
            channel: query.channel,
            dueBefore,
            portalId: principal.kind === 'portal' ? principal.portalId : undefined,
            order: query.sort,
            limit: query.limit,
            cursor: query.cursor,
          });
    return {
      status: 200,
      body: {
        items: page.items.map((d) => worklistItemOf(d, now, ward, actors)),
        ...(page.cursor ? { cursor: page.cursor } : {}),
      },
      headers: { 'cache-control': 'no-store' },
    };
  },
  'GET /dossiers/{code}': async ({ params, principal, receivedAt: now }) => {
    const dossier = await visibleDossier(params.code, principal);
    return {
      status: 200,
      body: dossierViewOf(dossier, actorsOf(principal), now, wardConfig()),
      headers: { etag: etagOf(workflowStateOf(dossier)), 'cache-control': 'no-store' },
    };
  },
  'GET /dossiers/{code}/history': async ({ params, principal }) => {
    await visibleDossier(params.code, principal);
    return {
      status: 200,
      body: { code: params.code, entries: await controlSlip(params.code) },
      headers: { 'cache-control': 'no-store' },
    };
  },
});
