import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { awaitedComponent, type DocumentVerdict, RESULT_STATUSES, targetOf, type Upload } from '../domain/documents.ts';
import type { Dossier, EResult } from '../domain/dossier.ts';
import { allMandatoryDigitised } from '../domain/report.ts';
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

/** The update that settles an upload: it leaves `awaiting` (and its TTL), verified or rejected with the reason. */
function settleUpload(upload: Upload, check: Check, recorded: DocumentVerdict) {
  const defect = recorded.ok ? undefined : recorded.defect;
  return {
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
}

/** Settles an upload that changes nothing on the dossier (a rejection, an extra page); `used` if one came first. */
async function settleAlone(upload: Upload, check: Check, recorded: DocumentVerdict): Promise<DocumentVerdict | 'used'> {
  try {
    await dynamo().send(new UpdateCommand(settleUpload(upload, check, recorded)));
    return recorded;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'used';
    throw error;
  }
}

/**
 * Settles an upload and writes what it does to the dossier in one transaction, so a retried message can never find
 * the URL used but the dossier unchanged. `retry` when the dossier's condition failed (it changed under us: read it
 * again), `used` when another object used the URL first.
 */
async function settleWithDossier(
  upload: Upload,
  check: Check,
  recorded: DocumentVerdict,
  dossierUpdate: {
    UpdateExpression: string;
    ConditionExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues: Record<string, unknown>;
  },
): Promise<DocumentVerdict | 'used' | 'retry'> {
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: settleUpload(upload, check, recorded) },
          { Update: { TableName: tableName(), Key: keys.dossier(upload.code), ...dossierUpdate } },
        ],
      }),
    );
    return recorded;
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'used';
    if (reasons[1]?.Code !== 'ConditionalCheckFailed' && !reasons.some((r) => r.Code === 'TransactionConflict'))
      throw error;
    return 'retry';
  }
}

/**
 * Records the check of the object that uses an upload URL, once. A verified component's file marks the component
 * digitised; one the dossier does not list joins it (not mandatory) while the supplement it awaits asks for it; a
 * verified result becomes the dossier's e-result while it is `resolved`; an extra page changes nothing on the
 * dossier. Document checks are not workflow changes: the dossier's version and ETag stay as they are, and the
 * dossier writes are conditioned on the version read. Returns the verdict recorded (a verified file the dossier no
 * longer takes is recorded as `component_not_filed` or `dossier_not_resolved`), or `used` when another object used
 * the URL first.
 */
export async function recordCheck(
  upload: Upload,
  check: Check,
  verdict: DocumentVerdict,
): Promise<DocumentVerdict | 'used'> {
  const target = targetOf(upload);
  if (!verdict.ok || target.kind === 'extra') return settleAlone(upload, check, verdict);
  for (let attempt = 0; attempt < 5; attempt++) {
    const dossier = await getDossier(upload.code);
    const settled =
      target.kind === 'result'
        ? await recordResult(upload, check, verdict, dossier)
        : await recordComponent(upload, check, verdict, dossier, target.componentCode);
    if (settled !== 'retry') return settled;
  }
  throw new Error(`dossier ${upload.code} kept changing while a document was recorded`);
}

async function recordComponent(
  upload: Upload,
  check: Check,
  verdict: DocumentVerdict & { ok: true },
  dossier: Dossier | undefined,
  componentCode: string,
): Promise<DocumentVerdict | 'used' | 'retry'> {
  const index = dossier?.components.findIndex((c) => c.code === componentCode) ?? -1;
  const joining = dossier && index < 0 ? awaitedComponent(dossier, componentCode) : undefined;
  if (!dossier || (index < 0 && !joining))
    return settleAlone(upload, check, { ok: false, reason: 'component_not_filed' });
  const document = {
    key: upload.key,
    sha256: check.object.sha256,
    contentType: verdict.contentType,
    sizeBytes: check.object.sizeBytes,
    verifiedAt: check.at,
  };
  if (joining) {
    // The supplement asked for it: it joins the dossier, not mandatory, its file with it.
    return settleWithDossier(upload, check, verdict, {
      UpdateExpression:
        'SET components = list_append(components, :added), componentCodes = list_append(componentCodes, :code)',
      ConditionExpression: '#version = :version AND #status = :awaiting AND NOT contains(componentCodes, :component)',
      ExpressionAttributeNames: { '#version': 'version', '#status': 'status' },
      ExpressionAttributeValues: {
        ':added': [{ code: joining.code, name: joining.name, mandatory: false, document }],
        ':code': [joining.code],
        ':component': joining.code,
        ':version': dossier.version,
        ':awaiting': 'awaiting_supplement',
      },
    });
  }
  // The component's file, and the digitised flag when this completes the mandatory ones.
  return settleWithDossier(upload, check, verdict, digitisingUpdate(dossier, index, 'document', document, check.at));
}

async function recordResult(
  upload: Upload,
  check: Check,
  verdict: DocumentVerdict & { ok: true },
  dossier: Dossier | undefined,
): Promise<DocumentVerdict | 'used' | 'retry'> {
  if (!dossier || !(RESULT_STATUSES as readonly string[]).includes(dossier.status))
    return settleAlone(upload, check, { ok: false, reason: 'dossier_not_resolved' });
  const eResult: EResult = {
    uploadId: upload.uploadId,
    key: upload.key,
    sha256: check.object.sha256!,
    contentType: verdict.contentType,
    sizeBytes: check.object.sizeBytes,
    verifiedAt: check.at,
  };
  return settleWithDossier(upload, check, verdict, {
    UpdateExpression: 'SET eResult = :eResult',
    ConditionExpression: '#version = :version AND #status = :status',
    ExpressionAttributeNames: { '#version': 'version', '#status': 'status' },
    ExpressionAttributeValues: { ':eResult': eResult, ':version': dossier.version, ':status': dossier.status },
  });
}

/**
 * The dossier's side of a component becoming digitised, by a verified file (`document`) or a reuse (`reused`): the
 * component's member, and the digitised flag when this completes the mandatory ones. The flag is worked out from the
 * dossier as read, so the write holds only while that is still so (optimistic concurrency): the same version (no
 * supplement changed the list), the component still at its index, the flag as it was, and every other mandatory
 * component as undigitised as it was read, since two components finishing at once must not each take the other for
 * missing (document writes leave the version alone: they are not workflow changes). A failed condition cancels the
 * transaction, and the caller reads again.
 */
function digitisingUpdate(dossier: Dossier, index: number, member: 'document' | 'reused', value: unknown, at: string) {
  const component = dossier.components[index]!;
  const after = dossier.components.map((c, i) => (i === index ? { ...c, [member]: value } : c));
  const completes = dossier.digitisedAt === undefined && allMandatoryDigitised({ components: after });
  const undigitised = dossier.components.flatMap((c, i) =>
    i !== index && c.mandatory && c.document === undefined && c.reused === undefined ? [i] : [],
  );
  const conditions = [
    '#version = :version',
    `components[${index}].code = :component`,
    dossier.digitisedAt === undefined ? 'attribute_not_exists(#digitisedAt)' : '#digitisedAt = :digitisedAt',
    ...undigitised.map(
      (i) => `attribute_not_exists(components[${i}].#document) AND attribute_not_exists(components[${i}].#reused)`,
    ),
  ];
  return {
    TableName: tableName(),
    Key: keys.dossier(dossier.code),
    UpdateExpression: `SET components[${index}].#member = :value${completes ? ', #digitisedAt = :at' : ''}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: {
      '#member': member,
      '#version': 'version',
      '#digitisedAt': 'digitisedAt',
      ...(undigitised.length ? { '#document': 'document', '#reused': 'reused' } : {}),
    },
    ExpressionAttributeValues: {
      ':value': value,
      ':version': dossier.version,
      ':component': component.code,
      ...(completes ? { ':at': at } : {}),
      ...(dossier.digitisedAt !== undefined ? { ':digitisedAt': dossier.digitisedAt } : {}),
    },
  };
}

/**
 * Records a reuse: this dossier's new document (state `reused`, naming the source's key and version, no bytes of its
 * own) and its component marked reused, in one transaction. Returns false when the dossier changed since `dossier`
 * was read (the caller reads it again and decides anew).
 */
export async function recordReuse(dossier: Dossier, index: number, reuse: Upload): Promise<boolean> {
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: { ...uploadKey(reuse.code, reuse.uploadId), entity: 'upload', ...reuse },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: digitisingUpdate(
              dossier,
              index,
              'reused',
              { id: reuse.uploadId, at: reuse.requestedAt },
              reuse.requestedAt,
            ),
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    if (reasons[1]?.Code === 'ConditionalCheckFailed' || reasons.some((r) => r.Code === 'TransactionConflict'))
      return false;
    throw error;
  }
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
