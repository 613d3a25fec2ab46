import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentVerdict } from '../domain/documents.ts';
import { dynamo, tableName } from './aws.ts';
import { getDossier, keys } from './dossier-store.ts';

/**
 * Records the check of an uploaded document on its dossier: a verified file marks its component digitised; a
 * refused one (wrong type, too large, empty, or for a component the dossier does not have) is listed with
 * its reason. Document
 * checks do not count as workflow changes, so the dossier's version and ETag stay as they are. Returns false
 * when the dossier does not exist.
 */
export async function recordDocument(
  code: string,
  componentCode: string,
  key: string,
  verdict: DocumentVerdict,
  file: { sha256: string; sizeBytes: number; at: string },
): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const dossier = await getDossier(code);
    if (!dossier) return false;
    if (!verdict.ok) {
      await reject(code, { key, componentCode, reason: verdict.reason, at: file.at });
      return true;
    }
    const document = { key, sha256: file.sha256, contentType: verdict.contentType, sizeBytes: file.sizeBytes, verifiedAt: file.at };
    const index = dossier.components.findIndex((c) => c.code === componentCode);
    try {
      if (index < 0) {
        await reject(code, { key, componentCode, reason: 'component_not_filed', at: file.at });
        return true;
      }
      await dynamo().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.dossier(code),
          UpdateExpression: `SET components[${index}].#document = :document`,
          ConditionExpression: `components[${index}].code = :component`,
          ExpressionAttributeNames: { '#document': 'document' },
          ExpressionAttributeValues: { ':document': document, ':component': componentCode },
        }),
      );
      return true;
    } catch (error) {
      // The component list changed under us (a supplement): read it again.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  throw new Error(`components of ${code} kept changing while a document was recorded`);
}

async function reject(code: string, rejected: { key: string; componentCode: string; reason: string; at: string }): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.dossier(code),
      UpdateExpression: 'SET rejectedDocuments = list_append(if_not_exists(rejectedDocuments, :empty), :rejected)',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':empty': [], ':rejected': [rejected] },
    }),
  );
}
