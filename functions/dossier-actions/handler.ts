import { applyDecision, getDossier } from '../../shared/adapters/dossier-store.ts';
import { wardCalendar } from '../../shared/config/calendar.ts';
import { findProcedure, wardConfig } from '../../shared/config/current-ward.ts';
import {
  ActionNotAllowed,
  Forbidden,
  NotFound,
  PreconditionRequired,
  VersionMismatch,
} from '../../shared/domain/errors.ts';
import { allowedActions, type Decision, decide, workflowStateOf } from '../../shared/domain/workflow.ts';
import { actorsOf } from '../../shared/http/actors.ts';
import { etagOf, stateFromIfMatch } from '../../shared/http/etag.ts';
import { httpFunction } from '../../shared/http/handler.ts';

export const handler = httpFunction('dossier-actions', {
  'POST /dossiers/{code}/actions': async ({ params, headers, body, principal, receivedAt: now }) => {
    const ifMatch = headers['if-match'];
    if (ifMatch === undefined) throw new PreconditionRequired('if_match_required', { code: params.code });
    const state = stateFromIfMatch(ifMatch, params.code);
    // Unsigned, edited, foreign: refused before any rule runs or anything is read. A portal acts only for the
    // dossiers it filed; to it another's dossier is one that does not exist, so it gets what an unknown code gets.
    if (!state || (principal.kind === 'portal' && state.portalId !== principal.portalId)) {
      throw new VersionMismatch('etag_unknown', { code: params.code });
    }

    const actors = actorsOf(principal);
    const ward = wardConfig();
    // Only an online return needs to know of the e-result, which the ETag does not carry: read it for that alone.
    const eResult =
      body.action === 'return_result' && body.channel === 'online'
        ? (await getDossier(state.code))?.eResult !== undefined
        : undefined;
    let decision: Decision;
    try {
      decision = decide(state, body, actors, {
        now,
        calendar: wardCalendar(),
        supplementClock: ward.supplementClock,
        procedure: findProcedure(state.procedureCode),
        staff: ward.staff,
        ...(eResult !== undefined ? { eResult } : {}),
      });
    } catch (error) {
      // Refused on the state the caller saw (its status, its assignee): if that state is stale, say so (412)
      // rather than 409 or 403, so the caller reloads and sees why.
      if (error instanceof ActionNotAllowed || error instanceof Forbidden)
        await assertCurrent(state.code, state.version);
      throw error;
    }
    await applyDecision(state, decision);
    const seq = decision.next.version;
    return {
      status: 200,
      body: {
        code: state.code,
        version: decision.next.version,
        status: decision.toStatus,
        dueAt: decision.next.dueAt,
        allowedActions: allowedActions(decision.next, actors, ward.staff),
        controlSlipEntry: { seq, ...decision.slip },
      },
      headers: { etag: etagOf(decision.next) },
    };
  },
});

async function assertCurrent(code: string, version: number): Promise<void> {
  const current = await getDossier(code);
  if (!current) throw new NotFound('dossier_not_found', { code });
  if (current.version !== version) {
    throw new VersionMismatch(
      'version_mismatch',
      { seen: version, current: current.version },
      { currentVersion: current.version, currentStatus: current.status, etag: etagOf(workflowStateOf(current)) },
    );
  }
}
