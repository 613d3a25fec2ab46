import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { ObjectVersion, StoredDocument } from '../domain/documents.ts';
import { bucketName, s3 } from './aws.ts';

/*
 * The uploaded documents in the ward's bucket. Every object is named by the version its event carries. The stack's
 * bucket is versioned, so S3's events carry a versionId: reads and the delete of a refused file then touch that
 * version only (s3:GetObjectVersion, s3:DeleteObjectVersion), and deleting it removes its bytes instead of hiding
 * them behind a delete marker. The local S3 keeps no versions and its events name none; there the key is the object.
 */

/** How many first bytes tell a file's type (sniffContentType). */
const HEAD_BYTES = 16;

const where = (key: string, object: ObjectVersion) => ({ Bucket: bucketName(), Key: key, VersionId: object.versionId });

function gone(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  // 404: deleted already (a refused copy, or one of the repeated uploads of a key); 412: overwritten since (local S3).
  return status === 404 || status === 412;
}

/** Whether a notification is about the ward's own bucket. */
export const isDocumentBucket = (name: string): boolean => name === bucketName();

/** The stored object's size and the ETag that pins a later read to the same bytes; undefined when it is gone. */
export async function storedSize(
  key: string,
  object: ObjectVersion,
): Promise<{ sizeBytes: number; etag: string | undefined } | undefined> {
  try {
    const head = await s3().send(new HeadObjectCommand(where(key, object)));
    return { sizeBytes: head.ContentLength ?? 0, etag: head.ETag };
  } catch (error) {
    if (gone(error)) return undefined;
    throw error;
  }
}

/**
 * Reads all the object's bytes once, as they stream: their SHA-256 and the first few (for the type). Undefined when
 * the object is gone, or was overwritten since its size was read.
 */
export async function readDocument(
  key: string,
  object: ObjectVersion,
  etag: string | undefined,
): Promise<Omit<StoredDocument, 'sizeBytes'> | undefined> {
  try {
    const stored = await s3().send(new GetObjectCommand({ ...where(key, object), IfMatch: etag }));
    const hash = createHash('sha256');
    let head = new Uint8Array();
    for await (const chunk of stored.Body as AsyncIterable<Uint8Array>) {
      if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk]).subarray(0, HEAD_BYTES);
      hash.update(chunk);
    }
    return { head, sha256: hash.digest('hex') };
  } catch (error) {
    if (gone(error)) return undefined;
    throw error;
  }
}

/** Deletes the object (that version of it, where the bucket keeps versions). */
export async function deleteDocument(key: string, object: ObjectVersion): Promise<void> {
  await s3().send(new DeleteObjectCommand(where(key, object)));
}
