import type { DossierStatus } from '../domain/dossier.ts';
import { queryAll } from './query.ts';

/** What the deadline watch reads of a dossier: enough for an alert, no applicant. */
export interface DueDossier {
  code: string;
  status: DossierStatus;
  dueAt: string;
  procedureName: string;
  assignee?: string | undefined;
  department?: string | undefined;
}

/** The dossiers in a status due before an instant, soonest first, from the byStatusDue index. */
export async function dossiersDueBefore(status: DossierStatus, horizon: string): Promise<DueDossier[]> {
  const items = await queryAll({
    IndexName: 'byStatusDue',
    KeyConditionExpression: 'listStatus = :status AND dueSort < :horizon',
    ExpressionAttributeValues: { ':status': status, ':horizon': horizon },
    ProjectionExpression: 'code, dueAt, #procedure.#name, assignee, department',
    ExpressionAttributeNames: { '#procedure': 'procedure', '#name': 'name' },
  });
  return items.map((item) => ({
    code: item.code as string,
    status,
    dueAt: item.dueAt as string,
    procedureName: (item.procedure as { name: string }).name,
    ...(item.assignee ? { assignee: item.assignee as string } : {}),
    ...(item.department ? { department: item.department as string } : {}),
  }));
}
