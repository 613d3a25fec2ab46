import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { fileDossier } from '../../shared/adapters/intake-store.ts';
import { receiptOf, withLookup } from '../../shared/api/views.ts';
import { wardCalendar } from '../../shared/config/calendar.ts';
import { findProcedure, wardConfig } from '../../shared/config/current-ward.ts';
import { dossierCode } from '../../shared/domain/dossier.ts';
import { ValidationFailed } from '../../shared/domain/errors.ts';
import { checkIntake, openDossier } from '../../shared/domain/intake.ts';
import { workflowStateOf } from '../../shared/domain/workflow.ts';
import { actorsOf, callerId } from '../../shared/http/actors.ts';
import { etagOf } from '../../shared/http/etag.ts';
import { httpFunction } from '../../shared/http/handler.ts';
import { metrics } from '../../shared/observability.ts';
import { canonicalJson, hashPin, receiptPin, sha256 } from '../../shared/security/pin.ts';

export const handler = httpFunction('dossier-intake', {
  'POST /dossiers': async ({ body, headers, principal, receivedAt: now, remainingMs }) => {
    const ward = wardConfig();
    const calendar = wardCalendar();
    const actor = actorsOf(principal).find((a) => a.kind === 'portal' || (a.kind === 'staff' && a.role === 'officer'))!;
    const procedure = findProcedure(body.procedureCode);
    checkIntake(body, procedure, actor);

    const key = headers['idempotency-key'];
    // A portal retries on its own: without a key a lost answer would become a second dossier.
    if (key === undefined && principal.kind === 'portal') {
      throw new ValidationFailed([
        { in: 'header', field: 'idempotency-key', rule: 'required', message: 'idempotency_key_required' },
      ]);
    }
    const caller = callerId(principal);
    const idempotency = key ? { caller, keyHash: sha256(key), requestHash: sha256(canonicalJson(body)) } : undefined;
    const localDate = calendar.localDate(now);
    let pin: string | undefined;
    const { answer, replayed } = await fileDossier(
      localDate,
      (sequence) => {
        const code = dossierCode(ward.unitCode, localDate, sequence);
        pin = receiptPin(caller, key, code);
        const { dossier, slip } = openDossier(body, procedure!, {
          now,
          calendar,
          code,
          actor,
          pinHash: hashPin(code, pin),
        });
        // The stored answer leaves the PIN out; a retry recomputes it from its Idempotency-Key and the code.
        return {
          dossier,
          slip,
          answer: { status: 201, body: { receipt: receiptOf(dossier, ward), etag: etagOf(workflowStateOf(dossier)) } },
        };
      },
      idempotency,
      now,
      // Stop waiting for a racing retry's answer while there is still time to say 503.
      () => remainingMs() < 1000,
    );
    const { receipt, etag } = answer.body as { receipt: ReturnType<typeof receiptOf>; etag: string };
    if (!replayed)
      metrics.addMetric(
        body.channel === 'online' ? 'dossierSubmittedOnline' : 'dossierReceivedAtCounter',
        MetricUnit.Count,
        1,
      );
    return {
      status: answer.status,
      body: withLookup(receipt, pin ?? receiptPin(caller, key, receipt.code)),
      headers: {
        location: `/dossiers/${encodeURIComponent(receipt.code)}`,
        etag,
        ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
      },
    };
  },
});
