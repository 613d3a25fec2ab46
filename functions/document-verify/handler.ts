import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import { asyncConsumer } from '../../shared/adapters/batch.ts';
import { deleteDocument, isDocumentBucket, readDocument, storedSize } from '../../shared/adapters/document-bucket.ts';
import { getUpload, recordCheck, recordLateUpload } from '../../shared/adapters/document-store.ts';
import {
  type DocumentVerdict,
  judgeDocument,
  judgeSize,
  type ObjectVersion,
  parseDocumentKey,
  sameObject,
  type Upload,
} from '../../shared/domain/documents.ts';
import { logger, metrics } from '../../shared/observability.ts';

/**
 * Measures the stored object against what its upload declared: the size first, then (only if the size is the
 * declared one) all the bytes, for the SHA-256 and the structure of the type. Undefined when the object is gone.
 */
async function inspect(key: string, object: ObjectVersion, upload: Upload) {
  const stored = await storedSize(key, object);
  if (!stored) return undefined;
  const { sizeBytes } = stored;
  const bySize = judgeSize(upload.expected, sizeBytes);
  if (bySize) return { sizeBytes, verdict: bySize as DocumentVerdict };
  const read = await readDocument(key, object, stored.etag, sizeBytes);
  if (!read) return undefined;
  return { sizeBytes, sha256: read.sha256, verdict: judgeDocument(upload.expected, { sizeBytes, ...read }) };
}

/** What became of one stored object, for the log and the metrics. */
const outcomeMetric = {
  verified: 'documentVerified',
  rejected: 'documentRejected',
  late: 'documentLateUpload',
  no_ticket: 'documentWithoutTicket',
  repeated: 'documentRepeatedEvent',
  gone: 'documentGone',
} as const;
type Outcome = keyof typeof outcomeMetric;

async function check(
  key: string,
  object: ObjectVersion,
  at: string,
): Promise<{ outcome: Outcome; verdict?: DocumentVerdict }> {
  const target = parseDocumentKey(key);
  // Attempts are bounded: each pass either settles the object or finds the upload used by another one.
  for (let attempt = 0; attempt < 3; attempt++) {
    const upload = target && (await getUpload(target.code, target.uploadId));
    if (!upload || upload.key !== key) {
      // Only a URL we signed can put a file here; anything else is not a dossier's document.
      await deleteDocument(key, object);
      return { outcome: 'no_ticket' };
    }
    if (upload.state !== 'awaiting') {
      if (upload.object && sameObject(upload.object, object)) {
        // S3 announced this object again, or an earlier try stopped before its delete.
        if (upload.state === 'rejected') await deleteDocument(key, object);
        return { outcome: 'repeated' };
      }
      await recordLateUpload(upload, at);
      await deleteDocument(key, object);
      return { outcome: 'late', verdict: { ok: false, reason: 'ticket_used' } };
    }
    const measured = await inspect(key, object, upload);
    if (!measured) return { outcome: 'gone' };
    const recorded = await recordCheck(
      upload,
      { object: { ...object, sizeBytes: measured.sizeBytes, sha256: measured.sha256 }, at },
      measured.verdict,
    );
    if (recorded === 'used') continue;
    // Recorded first, deleted second: a retry after a failed delete finds the rejection and deletes again.
    if (!recorded.ok) await deleteDocument(key, object);
    return { outcome: recorded.ok ? 'verified' : 'rejected', verdict: recorded };
  }
  throw new Error(`upload ${key} kept changing while it was checked`);
}

async function verifyRecord(s3Record: S3EventRecord): Promise<void> {
  const key = decodeURIComponent(s3Record.s3.object.key.replace(/\+/g, ' '));
  if (!isDocumentBucket(s3Record.s3.bucket.name)) {
    logger.warn('upload to another bucket, left alone', { bucket: s3Record.s3.bucket.name });
    return;
  }
  const object = { versionId: s3Record.s3.object.versionId, sequencer: s3Record.s3.object.sequencer };
  const { outcome, verdict } = await check(key, object, s3Record.eventTime);
  metrics.addMetric(outcomeMetric[outcome], MetricUnit.Count, 1);
  // The file name stays out of the log: people name scans after their owner, ID number included.
  const { code, kind, componentCode, uploadId } = parseDocumentKey(key) ?? {};
  logger.info('document checked', {
    code,
    kind,
    componentCode,
    uploadId,
    outcome,
    ...(verdict && !verdict.ok ? { reason: verdict.reason, defect: verdict.defect?.code } : {}),
  });
}

/**
 * Checks each uploaded object S3 announces (S3 invokes the function asynchronously, one event per object) against
 * its upload URL and records it: verified and kept, or refused and deleted. A failure throws and Lambda tries the
 * event again; a repeated event finds the object already settled. Records one after another: two uploads through
 * one URL would race their transactions on it.
 */
export const handler = asyncConsumer(async (event: S3Event) => {
  for (const s3Record of event.Records ?? []) await verifyRecord(s3Record);
});
