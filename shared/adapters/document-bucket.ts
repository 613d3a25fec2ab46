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
 * Reads the object's bytes once, as they stream, with their SHA-256: all of them, for its structure. Never more than
 * `sizeBytes` (its size as read, already the declared one): a longer body is cut there, and then its checksum
 * cannot match. Undefined when the object is gone, or was overwritten since its size was read.
 */
export async function readDocument(
  key: string,
  object: ObjectVersion,
  etag: string | undefined,
  sizeBytes: number,
): Promise<Omit<StoredDocument, 'sizeBytes'> | undefined> {
  try {
    const stored = await s3().send(new GetObjectCommand({ ...where(key, object), IfMatch: etag }));
    const hash = createHash('sha256');
    const bytes = new Uint8Array(sizeBytes);
    let length = 0;
    for await (const chunk of stored.Body as AsyncIterable<Uint8Array>) {
      const kept = chunk.subarray(0, sizeBytes - length);
      bytes.set(kept, length);
      length += kept.length;
      hash.update(kept);
      if (length === sizeBytes) break;
    }
    return { bytes: bytes.subarray(0, length), sha256: hash.digest('hex') };
  } catch (error) {
    if (gone(error)) return undefined;
    throw error;
  }
}

/** Deletes the object (that version of it, where the bucket keeps versions). */
export async function deleteDocument(key: string, object: ObjectVersion): Promise<void> {
  await s3().send(new DeleteObjectCommand(where(key, object)));
}
