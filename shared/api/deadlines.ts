import * as z from 'zod';

const instant = z.iso.datetime();

const digestEntryView = z
  .object({
    code: z.string(),
    procedureName: z.string(),
    applicantName: z.string().optional().meta({ description: 'The applicant’s name only: nothing else of them' }),
    assignee: z.string().optional(),
    assigneeName: z.string().optional(),
    department: z.string().optional(),
    dueAt: instant,
  })
  .meta({ id: 'DeadlineEntry' });

const counts = z.object({
  overdue: z.number().int().meta({ description: 'Due before now, clock still running' }),
  dueToday: z.number().int().meta({ description: 'Due from now to the end of the ward’s day' }),
  dueSoon: z.number().int().meta({ description: 'Due after today, within the ward’s due-soon window from now' }),
});

export const deadlinesView = z
  .object({
    at: instant,
    date: z.iso.date().meta({ description: 'The ward’s local date' }),
    timeZone: z.string(),
    dueSoonHours: z.number().int(),
    counts,
    departments: z.array(
      z.object({
        department: z.string(),
        counts,
        overdue: z.array(digestEntryView),
        dueToday: z.array(digestEntryView),
        dueSoon: z.array(digestEntryView),
      }),
    ),
    complete: z.boolean().meta({ description: 'False when more dossiers were due than one digest reads' }),
  })
  .meta({
    id: 'Deadlines',
    description: 'The leaders’ daily digest, now: overdue, due today and due soon, by department',
  });

export const deadlinesQuery = z.object({}).strict();
