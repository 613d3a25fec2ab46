import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../shared/adapters/aws.ts';
import { dossierItem, slipItem } from '../../shared/adapters/dossier-store.ts';
import { intakeSchema } from '../../shared/api/intake.ts';
import type { WardConfig } from '../../shared/config/ward.ts';
import { WorkingCalendar } from '../../shared/domain/calendar.ts';
import { type Dossier, dossierCode } from '../../shared/domain/dossier.ts';
import { openDossier } from '../../shared/domain/intake.ts';
import { localDateOf } from '../../shared/domain/zoned-time.ts';

export const calendarOf = (ward: WardConfig) =>
  new WorkingCalendar({
    timeZone: ward.timeZone,
    sessions: ward.officeHours.sessions,
    weekdays: ward.officeHours.weekdays,
    holidayOverrides: ward.holidayOverrides,
  });

/**
 * A counter filing as intake would have written it at `receivedAt` (its dossier and first control-slip row, by the
 * same domain code), put straight into the ward's table: the tests' one way to a dossier received on an earlier day,
 * or due before now, on which the API then acts. `dueAt` overrides the due date the calendar gives. The table stream
 * carries it to the report counters as it would a filing; it has no lookup PIN.
 */
export async function seedDossier(
  target: { ward: WardConfig; resources: { tableName: string } },
  body: Record<string, unknown>,
  options: { receivedAt: string; sequence: number; dueAt?: string },
): Promise<Dossier> {
  const { ward } = target;
  const input = intakeSchema.parse(body);
  const procedure = ward.catalog.procedures.find((p) => p.code === input.procedureCode);
  if (!procedure) throw new Error(`no procedure ${input.procedureCode} in ward ${ward.id}`);
  const now = Date.parse(options.receivedAt);
  const { dossier, slip } = openDossier(input, procedure, {
    now,
    calendar: calendarOf(ward),
    code: dossierCode(ward.unitCode, localDateOf(now, ward.timeZone), options.sequence),
    actor: { kind: 'staff', id: 'seeded-officer', username: 'officer.local', name: 'Trần Thị Hồng', role: 'officer' },
    pinHash: 'seeded: no lookup PIN',
  });
  if (options.dueAt) {
    dossier.dueAt = options.dueAt;
    dossier.originalDueAt = options.dueAt;
  }
  const TableName = target.resources.tableName;
  await dynamo().send(
    new PutCommand({ TableName, Item: dossierItem(dossier), ConditionExpression: 'attribute_not_exists(pk)' }),
  );
  await dynamo().send(new PutCommand({ TableName, Item: slipItem(dossier.code, slip) }));
  return dossier;
}
