import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRequest } from '../../local/issuer.ts';
import { birthRegistration, idempotent, PDF_BYTES } from '../support/fixtures.ts';
import { pngFile } from '../support/scans.ts';
import { officer, portal, startTestWard, type TestWard } from '../support/ward.ts';

let ward: TestWard;
beforeAll(async () => {
  // A second portal, which files nothing: a caller for the dossiers another portal filed.
  ward = await startTestWard((w) => ({
    ...w,
    portals: [...w.portals, { id: 'tinh-portal', name: 'Cổng Dịch vụ công tỉnh' }],
  }));
});
afterAll(async () => {
  await ward?.stop();
});

const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const reader: TokenRequest = { portal: 'dvcqg', scopes: ['dossiers.read'] };
const otherPortal: TokenRequest = { portal: 'tinh-portal', scopes: ['dossiers.read'] };

async function fileDossier(): Promise<string> {
  const filed = await ward.api.post('/dossiers', birthRegistration(), { as: portal, headers: idempotent() });
  expect(filed.status).toBe(201);
  return filed.body.code;
}

/** Asks for an upload URL declaring `declared` (by default exactly `file`, as a PDF) and PUTs `file` through it. */
async function upload(code: string, component: string, file: Buffer, declared: Record<string, unknown> = {}) {
  const ticket = await ward.api.post(
    `/dossiers/${code}/components/${component}/upload-url`,
    {
      fileName: 'Tờ khai.pdf',
      contentType: 'application/pdf',
      sizeBytes: file.length,
      sha256: sha256Of(file),
      ...declared,
    },
    { as: portal },
  );
  expect(ticket.status).toBe(201);
  const put = await fetch(ticket.body.url, { method: 'PUT', headers: ticket.body.headers, body: file });
  expect(put.status).toBe(200);
  return ticket.body.uploadId as string;
}

describe('GET /dossiers/{code}/documents', () => {
  it('lists every upload of the dossier: verified, rejected with the reason, awaiting, with who and when', async () => {
    const code = await fileDossier();
    const verified = await upload(code, 'TK', PDF_BYTES);
    // The bytes of a PDF declared as a PNG: S3 takes them (size and checksum match), the check refuses them.
    const rejected = await upload(code, 'GCS', PDF_BYTES, {
      fileName: 'giay-chung-sinh.png',
      contentType: 'image/png',
    });
    const awaiting = await ward.api.post(
      `/dossiers/${code}/components/GCS/upload-url`,
      { fileName: 'gcs.jpg', contentType: 'image/jpeg', sizeBytes: 1234, sha256: 'ab'.repeat(32) },
      { as: officer },
    );
    await ward.settle();

    const listed = await ward.api.get(`/dossiers/${code}/documents`, { as: officer });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('cache-control')).toBe('no-store');
    expect(listed.body.code).toBe(code);
    expect(listed.body.cursor).toBeUndefined();
    const byId = new Map(listed.body.items.map((item: { id: string }) => [item.id, item]));
    expect(byId.size).toBe(3);
    expect(byId.get(verified)).toMatchObject({
      kind: 'component',
      component: 'TK',
      fileName: 'Tờ khai.pdf',
      state: 'verified',
      contentType: 'application/pdf',
      sizeBytes: PDF_BYTES.length,
      sha256: sha256Of(PDF_BYTES),
      stored: { sizeBytes: PDF_BYTES.length, sha256: sha256Of(PDF_BYTES) },
      uploadedBy: { kind: 'portal', id: 'dvcqg' },
      requestedAt: expect.any(String),
      checkedAt: expect.any(String),
    });
    expect(byId.get(verified)).not.toHaveProperty('reason');
    expect(byId.get(rejected)).toMatchObject({
      component: 'GCS',
      state: 'rejected',
      reason: 'type_mismatch',
      contentType: 'image/png',
      uploadedBy: { kind: 'portal', id: 'dvcqg' },
    });
    expect(byId.get(awaiting.body.uploadId)).toMatchObject({
      component: 'GCS',
      state: 'awaiting',
      contentType: 'image/jpeg',
      sizeBytes: 1234,
      sha256: 'ab'.repeat(32),
      uploadedBy: { kind: 'staff', id: 'local-officer.local' },
      expiresAt: awaiting.body.expiresAt,
    });
    expect(byId.get(awaiting.body.uploadId)).not.toHaveProperty('stored');

    // The filing portal reads them too, with its read scope.
    const asPortal = await ward.api.get(`/dossiers/${code}/documents`, { as: reader });
    expect(asPortal.status).toBe(200);
    expect(asPortal.body.items.map((i: { id: string }) => i.id).sort()).toEqual([...byId.keys()].sort());
  });

  it('gives them in bounded pages, each upload once', async () => {
    const code = await fileDossier();
    const ids = [await upload(code, 'TK', PDF_BYTES), await upload(code, 'GCS', PDF_BYTES)];
    const first = await ward.api.get(`/dossiers/${code}/documents?limit=1`, { as: officer });
    expect(first.body.items).toHaveLength(1);
    expect(first.body.cursor).toBe(first.body.items[0].id);
    const second = await ward.api.get(`/dossiers/${code}/documents?limit=1&cursor=${first.body.cursor}`, {
      as: officer,
    });
    expect(second.body.items).toHaveLength(1);
    const third = second.body.cursor
      ? await ward.api.get(`/dossiers/${code}/documents?limit=1&cursor=${second.body.cursor}`, { as: officer })
      : undefined;
    expect(third?.body.items ?? []).toEqual([]);
    expect([first.body.items[0].id, second.body.items[0].id].sort()).toEqual(ids.sort());

    const tooMany = await ward.api.get(`/dossiers/${code}/documents?limit=101`, { as: officer });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toEqual([expect.objectContaining({ in: 'query', field: 'limit' })]);
    const badCursor = await ward.api.get(`/dossiers/${code}/documents?cursor=UPLOAD%23x`, { as: officer });
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.errors).toEqual([expect.objectContaining({ in: 'query', field: 'cursor' })]);
  });

  it('answers another portal exactly as for a dossier that does not exist', async () => {
    const code = await fileDossier();
    await upload(code, 'TK', PDF_BYTES);
    // The route is there for the portal that filed it: the 404 below is the other portal's, not the route's.
    expect((await ward.api.get(`/dossiers/${code}/documents`, { as: reader })).status).toBe(200);
    const other = await ward.api.get(`/dossiers/${code}/documents`, { as: otherPortal });
    // A code of the same length that no dossier has: the answers may differ only where they name the code.
    const unknown = `${code.slice(0, -1)}${code.endsWith('9') ? '8' : '9'}`;
    const missing = await ward.api.get(`/dossiers/${unknown}/documents`, { as: otherPortal });
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    // The same problem, word for word but the code it names; only the correlation id differs.
    const shape = (body: Record<string, unknown>, asked: string) =>
      JSON.parse(JSON.stringify({ ...body, correlationId: undefined }).replaceAll(asked, '<code>'));
    expect(shape(other.body, code)).toEqual(shape(missing.body, unknown));
    expect(JSON.stringify(other.body)).not.toContain('Tờ khai');
  });
});

describe('GET /dossiers/{code}/documents/{id}', () => {
  it('gives a verified document with a short-lived URL that downloads its bytes', async () => {
    const code = await fileDossier();
    const id = await upload(code, 'TK', PDF_BYTES);
    await ward.settle();
    for (const as of [officer, reader]) {
      const shown = await ward.api.get(`/dossiers/${code}/documents/${id}`, { as });
      expect(shown.status).toBe(200);
      expect(shown.headers.get('cache-control')).toBe('no-store');
      expect(shown.body).toMatchObject({ id, component: 'TK', state: 'verified', sha256: sha256Of(PDF_BYTES) });
      const url = new URL(shown.body.download.url);
      expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
      const downloaded = await fetch(url);
      expect(downloaded.status).toBe(200);
      expect(Buffer.from(await downloaded.arrayBuffer()).equals(PDF_BYTES)).toBe(true);
    }
  });

  it('gives no download for a rejected document, whose file was deleted', async () => {
    const code = await fileDossier();
    const id = await upload(code, 'GCS', PDF_BYTES, { contentType: 'image/png' });
    await ward.settle();
    const shown = await ward.api.get(`/dossiers/${code}/documents/${id}`, { as: officer });
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ id, state: 'rejected', reason: 'type_mismatch' });
    expect(shown.body).not.toHaveProperty('download');
  });

  it('answers an unknown id, and another portal, with a 404', async () => {
    const code = await fileDossier();
    const id = await upload(code, 'TK', PDF_BYTES);
    await ward.settle();
    const unknownId = await ward.api.get(`/dossiers/${code}/documents/00000000-0000-4000-8000-000000000000`, {
      as: officer,
      headers: { 'accept-language': 'en' },
    });
    expect(unknownId.status).toBe(404);
    expect(unknownId.body.detail).toBe(`Dossier ${code} has no document 00000000-0000-4000-8000-000000000000.`);
    const other = await ward.api.get(`/dossiers/${code}/documents/${id}`, { as: otherPortal });
    const unknown = `${code.slice(0, -1)}${code.endsWith('9') ? '8' : '9'}`;
    const missing = await ward.api.get(`/dossiers/${unknown}/documents/${id}`, { as: otherPortal });
    expect(other.status).toBe(404);
    const shape = (body: Record<string, unknown>, asked: string) =>
      JSON.parse(JSON.stringify({ ...body, correlationId: undefined }).replaceAll(asked, '<code>'));
    expect(shape(other.body, code)).toEqual(shape(missing.body, unknown));
    expect(JSON.stringify(other.body)).not.toContain('X-Amz');
    const notAnId = await ward.api.get(`/dossiers/${code}/documents/TK`, { as: officer });
    expect(notAnId.status).toBe(400);
    expect(notAnId.body.errors).toEqual([expect.objectContaining({ in: 'path', field: 'id' })]);
  });
});

describe('POST /dossiers/{code}/documents', () => {
  const png = pngFile();
  const ask = (code: string, body: Record<string, unknown>, as: TokenRequest = portal) =>
    ward.api.post(`/dossiers/${code}/documents`, body, { as, headers: { 'accept-language': 'en' } });

  it('signs a PUT of exactly the declared component file, which is then verified and listed', async () => {
    const code = await fileDossier();
    const ticket = await ask(code, {
      kind: 'component',
      component: 'GCS',
      fileName: 'giay-chung-sinh.png',
      contentType: 'image/png',
      sizeBytes: png.length,
      sha256: sha256Of(png),
    });
    expect(ticket.status).toBe(201);
    expect(ticket.body.key.startsWith(`dossiers/${code}/components/GCS/`)).toBe(true);
    const url = new URL(ticket.body.url);
    expect(url.searchParams.get('X-Amz-SignedHeaders')!.split(';')).toEqual(
      expect.arrayContaining(['content-length', 'content-type', 'x-amz-checksum-sha256']),
    );
    const put = await fetch(ticket.body.url, { method: 'PUT', headers: ticket.body.headers, body: png });
    expect(put.status).toBe(200);
    await ward.settle();
    const listed = await ward.api.get(`/dossiers/${code}/documents`, { as: officer });
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        id: ticket.body.uploadId,
        component: 'GCS',
        state: 'verified',
        contentType: 'image/png',
      }),
    ]);
  });

  it('refuses a component the dossier does not list, naming the field, and a kind it does not take', async () => {
    const code = await fileDossier();
    const declared = {
      fileName: 'uy-quyen.pdf',
      contentType: 'application/pdf',
      sizeBytes: 10,
      sha256: 'ab'.repeat(32),
    };
    const unlisted = await ask(code, { kind: 'component', component: 'UQ', ...declared });
    expect(unlisted.status).toBe(422);
    expect(unlisted.body.errors).toEqual([
      expect.objectContaining({ in: 'body', field: 'component', rule: 'component_filed' }),
    ]);
    expect(unlisted.body.components).toEqual(['TK', 'GCS']);
    const other = await ask(code, { kind: 'other', component: 'TK', ...declared });
    expect(other.status).toBe(400);
    expect(other.body.errors).toEqual([expect.objectContaining({ in: 'body', field: 'kind' })]);
    const tooBig = await ask(code, {
      kind: 'component',
      component: 'TK',
      ...declared,
      sizeBytes: 20 * 1024 * 1024 + 1,
    });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.errors).toEqual([expect.objectContaining({ in: 'body', field: 'sizeBytes' })]);
    const asText = await ask(code, { kind: 'component', component: 'TK', ...declared, contentType: 'text/plain' });
    expect(asText.status).toBe(400);
    expect(asText.body.errors).toEqual([expect.objectContaining({ in: 'body', field: 'contentType' })]);
    expect((await ward.api.get(`/dossiers/${code}/documents`, { as: officer })).body.items).toEqual([]);
  });

  it('answers another portal as for a dossier that does not exist, and signs nothing', async () => {
    const code = await fileDossier();
    const body = {
      kind: 'component',
      component: 'TK',
      fileName: 'tk.pdf',
      contentType: 'application/pdf',
      sizeBytes: 10,
      sha256: 'ab'.repeat(32),
    };
    const other = await ask(code, body, { portal: 'tinh-portal', scopes: ['dossiers.submit'] });
    expect(other.status).toBe(404);
    expect(other.body.type).toBe('urn:motcua:problem:not_found');
    expect((await ask(code, body)).status).toBe(201);
    expect((await ward.api.get(`/dossiers/${code}/documents`, { as: officer })).body.items).toHaveLength(1);
  });
});
