import { describe, expect, it, vi } from 'vitest';

// Which modules of schemas get evaluated; each module itself is the real one.
const { evaluated, observe } = vi.hoisted(() => {
  const evaluated: string[] = [];
  const observe = (name: string) => async (actual: () => Promise<unknown>) => {
    evaluated.push(name);
    return await actual();
  };
  return { evaluated, observe };
});
vi.mock('../../../shared/api/actions.ts', observe('actions'));
vi.mock('../../../shared/api/alerts.ts', observe('alerts'));
vi.mock('../../../shared/api/catalog.ts', observe('catalog'));
vi.mock('../../../shared/api/common.ts', observe('common'));
vi.mock('../../../shared/api/deadlines.ts', observe('deadlines'));
vi.mock('../../../shared/api/deliveries.ts', observe('deliveries'));
vi.mock('../../../shared/api/documents.ts', observe('documents'));
vi.mock('../../../shared/api/dossier-requests.ts', observe('dossier-requests'));
vi.mock('../../../shared/api/dossiers.ts', observe('dossiers'));
vi.mock('../../../shared/api/health.ts', observe('health'));
vi.mock('../../../shared/api/intake.ts', observe('intake'));
vi.mock('../../../shared/api/reports.ts', observe('reports'));

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('the routes’ schemas', () => {
  it('are built for a function’s own requests only, at its init; the views only for the OpenAPI document', async () => {
    const { httpFunction } = await import('../../../shared/http/handler.ts');
    await import('../../../shared/blueprint/routes.ts');
    await settle();
    expect(evaluated).toEqual([]);

    // Health validates no input: nothing to build.
    httpFunction('health', { 'GET /health': async () => ({ status: 204 }) });
    await settle();
    expect(evaluated).toEqual([]);

    // Intake: its headers and body, never a view.
    httpFunction('dossier-intake', { 'POST /dossiers': async () => ({ status: 204 }) });
    await vi.waitFor(() => expect(evaluated.sort()).toEqual(['dossier-requests', 'intake']));

    // The document loads every module, views and problems included.
    const { openApiDocument } = await import('../../../shared/http/openapi.ts');
    const document = await openApiDocument({ id: 'test', name: 'Test', unitCode: '000.00.00.H99' });
    expect(evaluated.sort()).toEqual([
      'actions',
      'alerts',
      'catalog',
      'common',
      'deadlines',
      'deliveries',
      'documents',
      'dossier-requests',
      'dossiers',
      'health',
      'intake',
      'reports',
    ]);
    expect(Object.keys(document.components?.schemas ?? {})).toEqual(expect.arrayContaining(['Problem', 'Receipt']));
    // The status webhook, its headers and the verification example a portal runs.
    const webhook = (
      document.webhooks as Record<string, { post: { description: string; parameters: { name: string }[] } }>
    )['dossier.status_changed']!.post;
    expect(webhook.parameters.map((p) => p.name)).toEqual(
      expect.arrayContaining(['webhook-id', 'webhook-timestamp', 'webhook-signature']),
    );
    expect(webhook.description).toContain('export function verifyDelivery');
  });
});
