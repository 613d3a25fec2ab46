import { describe, expect, it, vi } from 'vitest';

// Whether the catalog's schemas get built; the module itself is the real one.
const { evaluated } = vi.hoisted(() => ({ evaluated: [] as string[] }));
vi.mock('../../../shared/domain/catalog-schema.ts', async (actual) => {
  evaluated.push('catalog-schema');
  return await actual();
});

describe('the catalog’s schemas', () => {
  it('are not built by the rules that count deadlines and move dossiers, only by what parses or shows a catalog', async () => {
    const catalog = await import('../../../shared/domain/catalog.ts');
    await import('../../../shared/domain/workflow.ts');
    await import('../../../shared/domain/intake.ts');
    expect(catalog.processingMinutes({ unit: 'working_days', amount: 2 })).toBe(2 * catalog.WORKING_DAY_MINUTES);
    expect(evaluated).toEqual([]);

    const { parseWardConfig } = await import('../../../shared/config/ward.ts');
    expect(evaluated).toEqual(['catalog-schema']);
    expect(() => parseWardConfig({})).toThrow();
  });
});
