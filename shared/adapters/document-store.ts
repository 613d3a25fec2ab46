import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentVerdict, Upload } from '../domain/documents.ts';
import { dynamo, tableName } from './aws.ts';
import { getDossier, keys } from './dossier-store.ts';

/**
 * Uploads live beside their dossier, one item per upload URL (docs/data-model.md):
 *   upload   pk DOSSIER#<code>   sk UPLOAD#<upload id>
 * so a dossier's uploads are one Query (`begins_with(sk, 'UPLOAD#')`), and however often a URL is used the dossier
 * item itself only changes when a component becomes digitised.
 */
export const uploadKey = (code: string, uploadId: string) => ({ pk: `DOSSIER#${code}`, sk: `UPLOAD#${uploadId}` });

export async function createUpload(upload: Upload): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...uploadKey(upload.code, upload.uploadId), entity: 'upload', ...upload },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getUpload(code: string, uploadId: string): Promise<Upload | undefined> {
  const result = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: uploadKey(code, uploadId), ConsistentRead: true }),
  );
  return result.Item ? uploadOf(result.Item) : undefined;
}

const uploadOf = (item: Record<string, unknown>): Upload => {
  const { pk: _pk, sk: _sk, entity: _entity, ...upload } = item;
  return upload as unknown as Upload;
};

/**
 * One page of a dossier's uploads, in upload id order (one Query). The cursor is the last upload id of the page:
 * the caller sees every upload of the dossier anyway, and the partition stays the dossier's whatever it sends.
 */
export async function listUploads(
  code: string,
  page: { limit: number; after?: string | undefined },
): Promise<{ items: Upload[]; after?: string }> {
  const result = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :upload)',
      ExpressionAttributeValues: { ':pk': `DOSSIER#${code}`, ':upload': 'UPLOAD#' },
      Limit: page.limit,
      ...(page.after ? { ExclusiveStartKey: uploadKey(code, page.after) } : {}),
    }),
  );
  const items = (result.Items ?? []).map(uploadOf);
  const last = items.at(-1);
  return { items, ...(result.LastEvaluatedKey && last ? { after: last.uploadId } : {}) };
}

type Check = Required<Pick<Upload, 'object'>> & { at: string };

/**
 * Records the check of the object that uses an upload URL, once: the upload item leaves `awaiting` (and its TTL),
 * and a verified file marks its component digitised in the same transaction, so a retried message can never find
 * the URL used but the component not marked. Document checks are not workflow changes: the dossier's version
 * and ETag stay as they are. Returns the verdict recorded (a verified file whose component the dossier no longer
 * lists is recorded as `component_not_filed`), or `used` when another object used the URL first.
 */
export async function recordCheck(
  upload: Upload,
  check: Check,
  verdict: DocumentVerdict,
): Promise<DocumentVerdict | 'used'> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const index = verdict.ok
      ? ((await getDossier(upload.code))?.components.findIndex((c) => c.code === upload.componentCode) ?? -1)
      : -1;
    const recorded: DocumentVerdict = verdict.ok && index < 0 ? { ok: false, reason: 'component_not_filed' } : verdict;
    const defect = recorded.ok ? undefined : recorded.defect;
    const uploadUpdate = {
      TableName: tableName(),
      Key: uploadKey(upload.code, upload.uploadId),
      UpdateExpression: `SET #state = :state, checkedAt = :at, #object = :object, ${recorded.ok ? 'contentType = :outcome' : 'reason = :outcome'}${defect ? ', defect = :defect' : ''} REMOVE expiresAt`,
      ConditionExpression: '#state = :awaiting',
      ExpressionAttributeNames: { '#state': 'state', '#object': 'object' },
      ExpressionAttributeValues: {
        ':state': recorded.ok ? 'verified' : 'rejected',
        ':at': check.at,
        ':object': check.object,
        ':outcome': recorded.ok ? recorded.contentType : recorded.reason,
        ':awaiting': 'awaiting',
        ...(defect ? { ':defect': defect } : {}),
      },
    };
    if (!recorded.ok) {
      try {
        await dynamo().send(new UpdateCommand(uploadUpdate));
        return recorded;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return 'used';
        throw error;
      }
    }
    const document = {
      key: upload.key,
      sha256: check.object.sha256,
      contentType: recorded.contentType,
      sizeBytes: check.object.sizeBytes,
      verifiedAt: check.at,
    };
    try {
      await dynamo().send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: uploadUpdate },
            {
              Update: {
                TableName: tableName(),
                Key: keys.dossier(upload.code),
                UpdateExpression: `SET components[${index}].#document = :document`,
                ConditionExpression: `components[${index}].code = :component`,
                ExpressionAttributeNames: { '#document': 'document' },
                ExpressionAttributeValues: { ':document': document, ':component': upload.componentCode },
              },
            },
          ],
        }),
      );
      return recorded;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'used';
      // The component list changed under us (a supplement), or another write raced ours: read again.
      if (reasons[1]?.Code !== 'ConditionalCheckFailed' && !reasons.some((r) => r.Code === 'TransactionConflict'))
        throw error;
    }
  }
  throw new Error(`components of ${upload.code} kept changing while a document was recorded`);
}

/** Notes an object that came through an already used URL; one attribute, overwritten each time. */
export async function recordLateUpload(upload: Upload, at: string): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: uploadKey(upload.code, upload.uploadId),
      UpdateExpression: 'SET lateUpload = :late',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':late': { at, reason: 'ticket_used' } },
    }),
  );
}
