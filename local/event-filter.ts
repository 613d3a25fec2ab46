import type { EventFilterPattern } from '../shared/blueprint/types.ts';

/**
 * Lambda's event filtering (FilterCriteria) for the local pollers: a record reaches the function when it matches one
 * of the patterns, or when there are none. A pattern names fields of the record as the function receives it; each
 * leaf is a list of rules, any of which may match: a value (`"INSERT"`, `null`), or `prefix`, `suffix`,
 * `equals-ignore-case`, `anything-but`, `numeric`, `exists`; `$or` joins alternative patterns. An operator this does
 * not know throws, rather than let a record through that the stack would filter out.
 */
export function matchesFilters(patterns: readonly EventFilterPattern[], record: unknown): boolean {
  return patterns.length === 0 || patterns.some((pattern) => matches(pattern, record));
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function matches(pattern: EventFilterPattern, value: unknown): boolean {
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(rule as readonly EventFilterPattern[]).some((alternative) => matches(alternative, value))) return false;
      continue;
    }
    const present = isObject(value) && key in value;
    const field = present ? value[key] : undefined;
    if (Array.isArray(rule)) {
      if (!rule.some((r) => matchesRule(r, field, present))) return false;
    } else if (isObject(rule)) {
      if (!matches(rule as EventFilterPattern, field)) return false;
    } else {
      throw new Error(`event filter: the rule for ${key} must be a list or a nested pattern`);
    }
  }
  return true;
}

function matchesRule(rule: unknown, field: unknown, present: boolean): boolean {
  // A list in the record matches when one of its elements does.
  const values = Array.isArray(field) ? (field as unknown[]) : [field];
  if (!isObject(rule)) return present && values.some((v) => v === rule);
  const [operator, operand] = Object.entries(rule)[0] ?? [];
  switch (operator) {
    case 'exists':
      return (present && field !== undefined) === operand;
    case 'prefix':
      return present && values.some((v) => typeof v === 'string' && v.startsWith(String(operand)));
    case 'suffix':
      return present && values.some((v) => typeof v === 'string' && v.endsWith(String(operand)));
    case 'equals-ignore-case':
      return present && values.some((v) => typeof v === 'string' && v.toLowerCase() === String(operand).toLowerCase());
    case 'anything-but': {
      if (!present) return false;
      if (isObject(operand)) {
        const prefix = (operand as { prefix?: string }).prefix;
        if (prefix === undefined) throw new Error('event filter: anything-but takes values or a prefix');
        return values.every((v) => !(typeof v === 'string' && v.startsWith(prefix)));
      }
      const excluded = Array.isArray(operand) ? operand : [operand];
      return values.every((v) => !excluded.includes(v));
    }
    case 'numeric':
      return present && values.some((v) => typeof v === 'number' && numeric(operand as unknown[], v));
    default:
      throw new Error(`event filter: the local runner does not know the operator ${operator}`);
  }
}

function numeric(conditions: unknown[], value: number): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const bound = Number(conditions[i + 1]);
    const holds = {
      '=': value === bound,
      '<': value < bound,
      '<=': value <= bound,
      '>': value > bound,
      '>=': value >= bound,
    }[String(conditions[i])];
    if (holds === undefined) throw new Error(`event filter: unknown numeric operator ${String(conditions[i])}`);
    if (!holds) return false;
  }
  return true;
}
