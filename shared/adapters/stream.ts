import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Dossier } from '../domain/dossier.ts';
import { dossierFromItem } from './dossier-store.ts';

type Image = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

function dossierImage(image: Image | undefined): Dossier | undefined {
  if (!image) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>);
  return item.entity === 'dossier' ? dossierFromItem(item) : undefined;
}

/** The dossier before and after a stream record; both undefined when the record is not about a dossier. */
export function dossierChange(record: DynamoDBRecord): { before: Dossier | undefined; after: Dossier | undefined } {
  return { before: dossierImage(record.dynamodb?.OldImage), after: dossierImage(record.dynamodb?.NewImage) };
}
