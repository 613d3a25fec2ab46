/**
 * The demo's synthetic quarter, decided up front from a seed: which procedure each dossier is for, how and when it
 * is filed, and what becomes of it. The instants of later steps depend on the due dates the API answers, so each
 * dossier also carries its own seed for the delays drawn while it runs (scripts/demo/drive.ts). Pure: the same seed,
 * size and mix give the same plan.
 */
import type { WardConfig } from '../../shared/config/ward.ts';
import type { WorkingCalendar } from '../../shared/domain/calendar.ts';
import type { Channel } from '../../shared/domain/dossier.ts';
import { addDays, instantAt, type LocalDate } from '../../shared/domain/zoned-time.ts';

/** Every step of the demo happens on this grid: the clock the instance runs on moves in steps of it. */
export const GRID_MS = 30 * 60_000;

/** mulberry32: a small, fast, seedable generator of uniform numbers in [0, 1). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shares of the quarter's dossiers (each 0–1); `--mix key=value,…` overrides any of them. */
export const defaultMix = {
  /** Filed online, of the dossiers whose procedure offers an online service. */
  online: 0.65,
  /** Filed by post, of those filed at the counter. */
  postal: 0.06,
  /** Refused at intake (form 03), of the online ones (a counter filing is received at once). */
  refused: 0.03,
  withdrawn: 0.02,
  stopped: 0.01,
  rejected: 0.03,
  /** Resolved after the due date. */
  late: 0.06,
  /** Of the late ones, those with an apology (form 04) issued in time. */
  apology: 0.75,
  /** Of those resolved in time, those resolved before the due date. */
  early: 0.55,
  /** Asked for a supplement (form 02). */
  supplement: 0.1,
  /** Of the fee-bearing ones, those exempt (with a legal basis). */
  exempt: 0.05,
  /** Of the fee-bearing ones, those that never pay within the quarter. */
  unpaid: 0.03,
  /** Of the dossiers received at the counter, those that pay online later rather than cash at filing. */
  payLater: 0.2,
  /** Dossiers whose mandatory papers are all uploaded (scanned or sent as files). */
  upload: 0.6,
  /** Of the resolved ones, those whose result is handed over. */
  returned: 0.9,
  /** Of the returned ones, those the citizen rates. */
  rating: 0.5,
  /** Feedback items (PAKN) per dossier. */
  feedback: 0.01,
} as const;
export type Mix = { -readonly [K in keyof typeof defaultMix]: number };

/** `online=0.7,late=0.1`: the default mix with those shares replaced; an unknown key or a share outside 0–1 throws. */
export function parseMix(text: string | undefined): Mix {
  const mix: Mix = { ...defaultMix };
  for (const pair of (text ?? '').split(',').filter(Boolean)) {
    const [key, value] = pair.split('=');
    if (!key || !(key in defaultMix))
      throw new Error(`--mix: unknown share "${key}" (known: ${Object.keys(defaultMix).join(', ')})`);
    const share = Number(value);
    if (value === undefined || value === '' || !Number.isFinite(share) || share < 0 || share > 1)
      throw new Error(`--mix: ${key} must be a number from 0 to 1, not "${value ?? ''}"`);
    mix[key as keyof Mix] = share;
  }
  return mix;
}

export interface Quarter {
  label: string;
  first: LocalDate;
  last: LocalDate;
}

/** `2026-Q3`: its first and last day. */
export function quarterOf(label: string): Quarter {
  const match = /^(\d{4})-Q([1-4])$/.exec(label);
  if (!match) throw new Error(`--quarter: "${label}" is not a quarter such as 2026-Q3`);
  const year = Number(match[1]);
  const firstMonth = (Number(match[2]) - 1) * 3 + 1;
  const first = `${year}-${String(firstMonth).padStart(2, '0')}-01`;
  const next = firstMonth === 10 ? `${year + 1}-01-01` : `${year}-${String(firstMonth + 3).padStart(2, '0')}-01`;
  return { label, first, last: addDays(next, -1) };
}

/** The last quarter that has ended on `today`. */
export function lastQuarterBefore(today: LocalDate): string {
  const [year, month] = today.split('-').map(Number) as [number, number];
  const quarter = Math.floor((month - 1) / 3) + 1;
  return quarter === 1 ? `${year - 1}-Q4` : `${year}-Q${quarter - 1}`;
}

export type Fate = 'refused' | 'withdrawn' | 'stopped' | 'rejected' | 'early' | 'on_time' | 'late';
export type Payment = 'none' | 'cash' | 'online' | 'online_later' | 'exempt' | 'unpaid';

export interface DossierPlan {
  index: number;
  procedureCode: string;
  channel: Channel;
  /** On the grid; a counter or postal filing while reception is open. */
  filedAt: number;
  fate: Fate;
  apology: boolean;
  supplement: boolean;
  payment: Payment;
  upload: boolean;
  returned: boolean;
  rating: boolean;
  specialist: string;
  /** Seeds the delays the dossier draws while it runs. */
  seed: number;
}

export interface FeedbackPlan {
  at: number;
  dossier?: number;
}

export interface QuarterPlan {
  quarter: Quarter;
  /** Filings start this many days before the quarter, so some work is carried over into it. */
  from: number;
  /** The end of the quarter's last day: nothing planned after it happens. */
  until: number;
  dossiers: DossierPlan[];
  feedback: FeedbackPlan[];
}

/** Days of filings before the quarter starts: dossiers still open on its first day are carried over. */
export const LEAD_IN_DAYS = 14;

/** How often a field's procedures are filed, relative to others (civil status and certification are most). */
const FIELD_WEIGHTS: Record<string, number> = { HOTICH: 4, CHUNGTHUC: 4, CUTRU: 3, HKD: 1.5 };

export const floorToGrid = (instant: number) => Math.floor(instant / GRID_MS) * GRID_MS;

export function planQuarter(
  ward: WardConfig,
  calendar: WorkingCalendar,
  options: { size: number; mix: Mix; seed: number; quarter: string },
): QuarterPlan {
  const quarter = quarterOf(options.quarter);
  const { timeZone } = ward;
  const draw = random(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(draw() * items.length)]!;
  const chance = (share: number) => draw() < share;
  const firstDay = addDays(quarter.first, -LEAD_IN_DAYS);
  const from = instantAt(firstDay, 0, timeZone);
  const until = instantAt(addDays(quarter.last, 1), 0, timeZone) - 1;
  const days: LocalDate[] = [];
  for (let day = firstDay; day <= quarter.last; day = addDays(day, 1)) days.push(day);

  const procedures = ward.catalog.procedures;
  const weights = procedures.map((p) => FIELD_WEIGHTS[p.field.code] ?? 1);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const pickProcedure = () => {
    let x = draw() * totalWeight;
    for (let i = 0; i < procedures.length; i++) {
      x -= weights[i]!;
      if (x < 0) return procedures[i]!;
    }
    return procedures.at(-1)!;
  };
  const specialists = ward.staff.filter((s) => s.roles.includes('specialist')).map((s) => s.username);
  if (specialists.length === 0) throw new Error(`ward ${ward.id} has no specialist in its staff directory`);

  /** A grid instant at which the counter receives, drawn over the span; undefined when none is found. */
  const counterInstant = () => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const at = instantAt(pick(days), 6 * 60 + Math.floor(draw() * 24) * 30, timeZone);
      if (calendar.isReceptionOpen(at)) return at;
    }
    return undefined;
  };
  /** Online filings come at any hour, most in the daytime. */
  const onlineInstant = () => {
    const minute = chance(0.85) ? 6 * 60 + Math.floor(draw() * 30) * 30 : Math.floor(draw() * 48) * 30;
    return instantAt(pick(days), minute, timeZone);
  };

  const dossiers: DossierPlan[] = [];
  for (let index = 0; index < options.size; index++) {
    const procedure = pickProcedure();
    const online = procedure.onlineLevel !== 'none' && chance(options.mix.online);
    const channel: Channel = online ? 'online' : chance(options.mix.postal) ? 'postal' : 'in_person';
    const filedAt = online ? onlineInstant() : (counterInstant() ?? onlineInstant());
    const outcome = draw();
    const { refused, withdrawn, stopped, rejected, late } = options.mix;
    let fate: Fate;
    if (online && outcome < refused) fate = 'refused';
    else if (outcome < refused + withdrawn) fate = 'withdrawn';
    else if (outcome < refused + withdrawn + stopped) fate = 'stopped';
    else if (outcome < refused + withdrawn + stopped + rejected) fate = 'rejected';
    else if (outcome < refused + withdrawn + stopped + rejected + late) fate = 'late';
    else fate = chance(options.mix.early) ? 'early' : 'on_time';
    let payment: Payment = 'none';
    if (procedure.feeVnd > 0) {
      if (chance(options.mix.exempt)) payment = 'exempt';
      else if (chance(options.mix.unpaid)) payment = 'unpaid';
      else if (online) payment = 'online';
      else payment = chance(options.mix.payLater) ? 'online_later' : 'cash';
    }
    dossiers.push({
      index,
      procedureCode: procedure.code,
      channel,
      filedAt: floorToGrid(filedAt),
      fate,
      apology: fate === 'late' && chance(options.mix.apology),
      supplement: chance(options.mix.supplement),
      payment,
      upload: chance(options.mix.upload),
      returned: chance(options.mix.returned),
      rating: chance(options.mix.rating),
      specialist: pick(specialists),
      seed: Math.floor(draw() * 2 ** 32),
    });
  }
  const feedback: FeedbackPlan[] = [];
  const feedbackCount = Math.round(options.size * options.mix.feedback);
  for (let i = 0; i < feedbackCount; i++) {
    const about = chance(0.5) ? Math.floor(draw() * options.size) : undefined;
    feedback.push({ at: floorToGrid(onlineInstant()), ...(about !== undefined ? { dossier: about } : {}) });
  }
  return { quarter, from, until, dossiers, feedback };
}
