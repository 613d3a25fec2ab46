import { createHash } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { Context, S3Event, SQSEvent, SQSRecord } from 'aws-lambda';
import { bucketName, s3 } from '../../shared/adapters/aws.ts';
import { recordDocument } from '../../shared/adapters/document-store.ts';
import { judgeDocument, MAX_DOCUMENT_BYTES, parseDocumentKey } from '../../shared/domain/documents.ts';
import { logger, metrics } from '../../shared/observability.ts';

const processor = new BatchProcessor(EventType.SQS);

/** Reads the object once: its first bytes for the type, all of it for the SHA-256. */
async function inspect(bucket: string, key: string) {
  const head = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const size = head.ContentLength ?? 0;
  if (size === 0 || size > MAX_DOCUMENT_BYTES) return { size, head: new Uint8Array(), sha256: '' };
  const object = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: head.ETag }));
  const hash = createHash('sha256');
  let first = new Uint8Array();
  for await (const chunk of object.Body as AsyncIterable<Uint8Array>) {
    if (first.length < 16) first = Buffer.concat([first, chunk]).subarray(0, 16);
    hash.update(chunk);
  }
  return { size, head: first, sha256: hash.digest('hex') };
}

async function verify(record: SQSRecord): Promise<void> {
  const notification = JSON.parse(record.body) as S3Event | { Event?: string };
  if (!('Records' in notification)) return; // s3:TestEvent when the notification is configured
  for (const s3Record of notification.Records) {
    const key = decodeURIComponent(s3Record.s3.object.key.replace(/\+/g, ' '));
    const target = parseDocumentKey(key);
    if (!target || s3Record.s3.bucket.name !== bucketName()) {
      logger.warn('upload outside the dossier layout, left alone', { key });
      continue;
    }
    const { size, head, sha256 } = await inspect(s3Record.s3.bucket.name, key);
    const verdict = judgeDocument(size, head);
    const recorded = await recordDocument(target.code, target.componentCode, key, verdict, { sha256, sizeBytes: size, at: s3Record.eventTime });
    metrics.addMetric(verdict.ok ? 'documentVerified' : 'documentRejected', MetricUnit.Count, 1);
    logger.info('document checked', { code: target.code, component: target.componentCode, ok: verdict.ok, recorded });
  }
}

export const handler = middy((event: SQSEvent, context: Context) => processPartialResponse(event, verify, processor, { context }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
