import { createHash } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { Context, S3Event, S3EventRecord, SQSEvent, SQSRecord } from 'aws-lambda';
import { bucketName, s3 } from '../../shared/adapters/aws.ts';
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

const processor = new BatchProcessor(EventType.SQS);

/*
 * Every object is named by the version its event carries. The stack's bucket is versioned, so S3's events carry a
 * versionId: reads and the delete of a refused file then touch that version only (s3:GetObjectVersion,
 * s3:DeleteObjectVersion), and deleting it removes its bytes instead of hiding them behind a delete marker. The
 * local S3 keeps no versions and its events name none; there the key is the object.
 */

const gone = (error: unknown) => {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  // 404: deleted already (a refused copy, or one of the repeated uploads of a key); 412: overwritten since (local S3).
  return status === 404 || status === 412;
};

/**
 * Measures the stored object against what its upload declared: the size first, then (only if the size is the
 * declared one) all the bytes for the SHA-256 and the first ones for the type. Undefined when the object is gone.
 */
async function inspect(key: string, object: ObjectVersion, upload: Upload) {
  const where = { Bucket: bucketName(), Key: key, VersionId: object.versionId };
  try {
    const head = await s3().send(new HeadObjectCommand(where));
    const sizeBytes = head.ContentLength ?? 0;
    const bySize = judgeSize(upload.expected, sizeBytes);
    if (bySize) return { sizeBytes, verdict: bySize as DocumentVerdict };
    const stored = await s3().send(new GetObjectCommand({ ...where, IfMatch: head.ETag }));
    const hash = createHash('sha256');
    let first = new Uint8Array();
    for await (const chunk of stored.Body as AsyncIterable<Uint8Array>) {
      if (first.length < 16) first = Buffer.concat([first, chunk]).subarray(0, 16);
      hash.update(chunk);
    }
    const sha256 = hash.digest('hex');
    return { sizeBytes, sha256, verdict: judgeDocument(upload.expected, { sizeBytes, head: first, sha256 }) };
  } catch (error) {
    if (gone(error)) return undefined;
    throw error;
  }
}

async function discard(key: string, object: ObjectVersion): Promise<void> {
  await s3().send(new DeleteObjectCommand({ Bucket: bucketName(), Key: key, VersionId: object.versionId }));
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
      await discard(key, object);
      return { outcome: 'no_ticket' };
    }
    if (upload.state !== 'awaiting') {
      if (upload.object && sameObject(upload.object, object)) {
        // S3 announced this object again, or an earlier try stopped before its delete.
        if (upload.state === 'rejected') await discard(key, object);
        return { outcome: 'repeated' };
      }
      await recordLateUpload(upload, at);
      await discard(key, object);
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
    if (!recorded.ok) await discard(key, object);
    return { outcome: recorded.ok ? 'verified' : 'rejected', verdict: recorded };
  }
  throw new Error(`upload ${key} kept changing while it was checked`);
}

async function verifyRecord(s3Record: S3EventRecord): Promise<void> {
  const key = decodeURIComponent(s3Record.s3.object.key.replace(/\+/g, ' '));
  if (s3Record.s3.bucket.name !== bucketName()) {
    logger.warn('upload to another bucket, left alone', { bucket: s3Record.s3.bucket.name });
    return;
  }
  const object = { versionId: s3Record.s3.object.versionId, sequencer: s3Record.s3.object.sequencer };
  const { outcome, verdict } = await check(key, object, s3Record.eventTime);
  metrics.addMetric(outcomeMetric[outcome], MetricUnit.Count, 1);
  // The file name stays out of the log: people name scans after their owner, ID number included.
  const { code, componentCode, uploadId } = parseDocumentKey(key) ?? {};
  logger.info('document checked', {
    code,
    componentCode,
    uploadId,
    outcome,
    ...(verdict && !verdict.ok ? { reason: verdict.reason } : {}),
  });
}

async function verify(record: SQSRecord): Promise<void> {
  const notification = JSON.parse(record.body) as S3Event | { Event?: string };
  if (!('Records' in notification)) return; // s3:TestEvent when the notification is configured
  for (const s3Record of notification.Records) await verifyRecord(s3Record);
}

export const handler = middy((event: SQSEvent, context: Context) =>
  processPartialResponse(event, verify, processor, { context }),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
