import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRequest } from '../../local/issuer.ts';
import { dynamo } from '../../shared/adapters/aws.ts';
import { birthRegistration, idempotent, PDF_BYTES } from '../support/fixtures.ts';
import { jpegFile, pdfFile, pngFile } from '../support/scans.ts';
import { leader, officer, portal, specialist, startTestWard, type TestWard } from '../support/ward.ts';

/*
 * Results, extra pages and the supplement's components (issue 10), and the Done-when through
 * POST /dossiers/{code}/documents: real files through presigned uploads to the local S3, checked by document-verify.
 */

let ward: TestWard;
let portalServer: Server;
const delivered: { body: any }[] = [];

beforeAll(async () => {
  portalServer = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      delivered.push({ body: JSON.parse(text) });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => portalServer.listen(0, '127.0.0.1', resolve));
  const { port } = portalServer.address() as AddressInfo;
  ward = await startTestWard((w) => ({
    ...w,
    portals: [
      { id: 'dvcqg', name: 'Cổng Dịch vụ công quốc gia', statusWebhookUrl: `http://127.0.0.1:${port}/motcua/status` },
      { id: 'tinh-portal', name: 'Cổng Dịch vụ công tỉnh' },
    ],
  }));
});
afterAll(async () => {
  await ward?.stop();
  await new Promise((resolve) => portalServer?.close(resolve));
});

const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const holder: TokenRequest = { role: 'specialist', username: 'specialist.42' };
const reader: TokenRequest = { portal: 'dvcqg', scopes: ['dossiers.read'] };
const otherPortal: TokenRequest = { portal: 'tinh-portal', scopes: ['dossiers.read', 'dossiers.submit'] };
const en = { 'accept-language': 'en' };

/** A dossier filed online by dvcqg and taken through the API to `stage`; its code and current ETag. */
async function dossierAt(
  stage: 'submitted' | 'in_progress' | 'awaiting_supplement' | 'resolved',
  filing: Record<string, unknown> = {},
  supplement: Record<string, unknown> = {},
): Promise<{ code: string; etag: string }> {
  const filed = await ward.api.post('/dossiers', birthRegistration(filing), { as: portal, headers: idempotent() });
  expect(filed.status, JSON.stringify(filed.body)).toBe(201);
  const code = filed.body.code as string;
  let etag = filed.headers.get('etag')!;
  const act = async (body: Record<string, unknown>, as: TokenRequest) => {
    const done = await ward.api.post(`/dossiers/${code}/actions`, body, { as, headers: { 'if-match': etag } });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    etag = done.headers.get('etag')!;
  };
  if (stage === 'submitted') return { code, etag };
  await act({ action: 'accept' }, officer);
  await act({ action: 'assign', assignee: 'specialist.42' }, leader);
  if (stage === 'awaiting_supplement')
    await act({ action: 'request_supplement', missing: ['Văn bản ủy quyền'], ...supplement }, holder);
  if (stage === 'resolved') {
    await act({ action: 'submit_for_approval' }, holder);
    await act({ action: 'approve' }, leader);
  }
  return { code, etag };
}

const declaring = (file: Buffer, contentType = 'application/pdf', fileName = 'ket-qua.pdf') => ({
  fileName,
  contentType,
  sizeBytes: file.length,
  sha256: sha256Of(file),
});

/** Asks for an upload of `kind` and PUTs `body` (by default the declared file) through it. */
async function upload(
  code: string,
  request: Record<string, unknown>,
  file: Buffer,
  as: TokenRequest,
  body: Buffer = file,
): Promise<{ uploadId: string; key: string }> {
  const ticket = await ward.api.post(`/dossiers/${code}/documents`, request, { as });
  expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
  // A client sets Content-Length from the body it sends.
  const { 'content-length': _length, ...headers } = ticket.body.headers;
  const put = await fetch(ticket.body.url, { method: 'PUT', headers, body });
  expect(put.status).toBe(200);
  return { uploadId: ticket.body.uploadId, key: ticket.body.key };
}

const documents = async (code: string, headers: Record<string, string> = {}) =>
  (await ward.api.get(`/dossiers/${code}/documents`, { as: officer, headers })).body.items as Record<string, any>[];
const objectsUnder = async (code: string) =>
  (
    await ward.clients.s3.send(
      new ListObjectsV2Command({ Bucket: ward.resources.bucketName, Prefix: `dossiers/${code}/` }),
    )
  ).Contents ?? [];
const dossierItem = async (code: string) =>
  (
    await dynamo().send(
      new GetCommand({
        TableName: ward.resources.tableName,
        Key: { pk: `DOSSIER#${code}`, sk: 'DOSSIER' },
        ConsistentRead: true,
      }),
    )
  ).Item!;
const wardDay = async (date: string) =>
  (
    await dynamo().send(
      new GetCommand({ TableName: ward.resources.tableName, Key: { pk: 'REPORT#ward', sk: `DAY#${date}` } }),
    )
  ).Item ?? {};
const localDate = (iso: string) => new Date(Date.parse(iso) + 7 * 3_600_000).toISOString().slice(0, 10);

describe('a result', () => {
  it('is taken from staff handling a resolved dossier: verified, listed as a result, the dossier’s e-result', async () => {
    const { code } = await dossierAt('resolved');
    const result = pdfFile();
    const { uploadId, key } = await upload(code, { kind: 'result', ...declaring(result) }, result, officer);
    expect(key).toMatch(new RegExp(`^dossiers/${code.replace(/\./g, '\\.')}/results/${uploadId}-ket-qua\\.pdf$`));
    await ward.settle();
    expect(await documents(code)).toEqual([
      expect.objectContaining({ id: uploadId, kind: 'result', state: 'verified', contentType: 'application/pdf' }),
    ]);
    expect((await documents(code))[0]).not.toHaveProperty('component');
    const read = await ward.api.get(`/dossiers/${code}`, { as: officer });
    expect(read.body.eResult).toEqual({
      documentId: uploadId,
      contentType: 'application/pdf',
      sizeBytes: result.length,
      sha256: sha256Of(result),
      verifiedAt: expect.any(String),
    });
    // A document check is no workflow change: the version, and the ETag with it, stay.
    expect(read.body.version).toBe(5);
    // The holding specialist uploads one too; the later verified result is the dossier's.
    const again = await upload(code, { kind: 'result', ...declaring(PDF_BYTES) }, PDF_BYTES, holder);
    await ward.settle();
    expect((await dossierItem(code)).eResult).toMatchObject({ uploadId: again.uploadId, sha256: sha256Of(PDF_BYTES) });
  });

  it('is refused from a portal, from a specialist not holding the dossier, before it is resolved, and on paper-only procedures', async () => {
    const { code } = await dossierAt('resolved');
    const request = { kind: 'result', ...declaring(PDF_BYTES) };
    const asPortal = await ward.api.post(`/dossiers/${code}/documents`, request, { as: portal, headers: en });
    expect(asPortal.status).toBe(403);
    expect(asPortal.body.detail).toContain('Only staff handling the dossier upload a result');
    const asOther = await ward.api.post(`/dossiers/${code}/documents`, request, { as: specialist });
    expect(asOther.status).toBe(403);

    const open = await dossierAt('in_progress');
    const early = await ward.api.post(`/dossiers/${open.code}/documents`, request, { as: holder, headers: en });
    expect(early.status).toBe(409);
    expect(early.body.detail).toBe(
      `Dossier ${open.code} is in_progress; a result is uploaded only once the dossier is approved (resolved).`,
    );

    // Đăng ký kết hôn: its result form is paper only.
    const paper = await dossierAt('resolved', { procedureCode: '1.000894', components: ['TK'] });
    const onPaper = await ward.api.post(`/dossiers/${paper.code}/documents`, request, { as: officer });
    expect(onPaper.status).toBe(422);
    expect(onPaper.body.errors).toEqual([
      expect.objectContaining({ in: 'body', field: 'kind', rule: 'electronic_result_form' }),
    ]);
    expect(onPaper.body.detail).toContain('1.000894');
    for (const c of [code, open.code, paper.code]) expect(await documents(c)).toEqual([]);
  });

  it('is needed to return a result online: a 422 naming the rule, in Vietnamese and English, until one is verified', async () => {
    const { code, etag } = await dossierAt('resolved');
    const returnOnline = (headers: Record<string, string>) =>
      ward.api.post(
        `/dossiers/${code}/actions`,
        { action: 'return_result', channel: 'online' },
        { as: officer, headers: { 'if-match': etag, ...headers } },
      );
    const vi = await returnOnline({});
    expect(vi.status).toBe(422);
    expect(vi.body.errors).toEqual([
      expect.objectContaining({ in: 'body', field: 'channel', rule: 'online_return_needs_e_result' }),
    ]);
    expect(vi.body.detail).toContain('Trả kết quả trực tuyến cần kết quả điện tử');
    const english = await returnOnline(en);
    expect(english.body.detail).toContain('An online return needs a verified electronic result');
    expect((await dossierItem(code)).status).toBe('resolved');

    // A result that fails its check is no e-result.
    await upload(code, { kind: 'result', ...declaring(PDF_BYTES) }, PDF_BYTES, officer, Buffer.from('not a PDF'));
    await ward.settle();
    expect((await returnOnline({})).status).toBe(422);

    const { uploadId } = await upload(code, { kind: 'result', ...declaring(PDF_BYTES) }, PDF_BYTES, officer);
    await ward.settle();
    const returned = await returnOnline({});
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    expect(returned.body.status).toBe('returned');
    await ward.settle();

    // The portal's status event links to the result, where the filing portal downloads it.
    const event = delivered.find((d) => d.body.code === code && d.body.status === 'returned');
    expect(event?.body.result).toEqual({ documentId: uploadId, path: `/dossiers/${code}/documents/${uploadId}` });
    expect(delivered.find((d) => d.body.code === code && d.body.status === 'resolved')?.body.result).toBeNull();
    const fetched = await ward.api.get(event!.body.result.path, { as: reader });
    expect(fetched.status).toBe(200);
    const downloaded = await fetch(fetched.body.download.url);
    expect(Buffer.from(await downloaded.arrayBuffer()).equals(PDF_BYTES)).toBe(true);
    // Nobody else: another portal as for a dossier that does not exist, no caller without a token.
    expect((await ward.api.get(event!.body.result.path, { as: otherPortal })).status).toBe(404);
    expect((await ward.api.request('GET', event!.body.result.path, {})).status).toBe(401);
  });

  it('returns in person without an e-result, and one uploaded after the return is refused and deleted', async () => {
    const { code, etag } = await dossierAt('resolved');
    const ticket = await ward.api.post(
      `/dossiers/${code}/documents`,
      { kind: 'result', ...declaring(PDF_BYTES) },
      { as: officer },
    );
    expect(ticket.status).toBe(201);
    const inPerson = await ward.api.post(
      `/dossiers/${code}/actions`,
      { action: 'return_result', channel: 'in_person' },
      { as: officer, headers: { 'if-match': etag } },
    );
    expect(inPerson.status).toBe(200);
    // The URL was signed while it was resolved; the file comes after the return.
    const put = await fetch(ticket.body.url, { method: 'PUT', headers: ticket.body.headers, body: PDF_BYTES });
    expect(put.status).toBe(200);
    await ward.settle();
    const [listed] = await documents(code, en);
    expect(listed).toMatchObject({
      kind: 'result',
      state: 'rejected',
      reason: 'dossier_not_resolved',
      reasonDetail: 'The dossier left resolved before the result was checked.',
    });
    expect(await dossierItem(code)).not.toHaveProperty('eResult');
    expect(await objectsUnder(code)).toEqual([]);
  });

  it('counts for the reports once, on the day the dossier first has an e-result', async () => {
    const { code } = await dossierAt('resolved');
    const first = await upload(code, { kind: 'result', ...declaring(PDF_BYTES) }, PDF_BYTES, officer);
    await ward.settle();
    const verifiedAt = (await dossierItem(code)).eResult.verifiedAt as string;
    const day = localDate(verifiedAt);
    const counted = (await wardDay(day)).e_results as number;
    expect(counted).toBeGreaterThanOrEqual(1);
    // A second result replaces the first: still one dossier with an e-result.
    const second = await upload(code, { kind: 'result', ...declaring(pdfFile()) }, pdfFile(), officer);
    await ward.settle();
    expect((await dossierItem(code)).eResult.uploadId).toBe(second.uploadId);
    expect(second.uploadId).not.toBe(first.uploadId);
    expect((await wardDay(day)).e_results).toBe(counted);
    // Another dossier's result counts one more.
    const other = await dossierAt('resolved');
    await upload(other.code, { kind: 'result', ...declaring(PDF_BYTES) }, PDF_BYTES, officer);
    await ward.settle();
    expect(localDate((await dossierItem(other.code)).eResult.verifiedAt)).toBe(day);
    expect((await wardDay(day)).e_results).toBe(counted + 1);
  });
});

describe('an extra page', () => {
  it('is taken from staff while the dossier is open, listed as an extra, and changes nothing on the dossier', async () => {
    const { code } = await dossierAt('in_progress');
    const before = await dossierItem(code);
    const page = jpegFile();
    const { uploadId, key } = await upload(
      code,
      { kind: 'extra', ...declaring(page, 'image/jpeg', 'trang-bo-sung.jpg') },
      page,
      holder,
    );
    expect(key).toMatch(new RegExp(`^dossiers/${code.replace(/\./g, '\\.')}/extras/${uploadId}-trang-bo-sung\\.jpg$`));
    await ward.settle();
    expect(await documents(code)).toEqual([
      expect.objectContaining({ id: uploadId, kind: 'extra', state: 'verified', contentType: 'image/jpeg' }),
    ]);
    expect(await dossierItem(code)).toEqual(before);
    const shown = await ward.api.get(`/dossiers/${code}/documents/${uploadId}`, { as: reader });
    expect(shown.body).toMatchObject({ kind: 'extra', download: { url: expect.any(String) } });
  });

  it('is refused from a portal, from a specialist not holding the dossier, and on a finished dossier', async () => {
    const { code } = await dossierAt('in_progress');
    const request = { kind: 'extra', ...declaring(PDF_BYTES) };
    expect((await ward.api.post(`/dossiers/${code}/documents`, request, { as: portal })).status).toBe(403);
    expect((await ward.api.post(`/dossiers/${code}/documents`, request, { as: specialist })).status).toBe(403);
    const finished = await dossierAt('resolved');
    const late = await ward.api.post(`/dossiers/${finished.code}/documents`, request, { as: officer });
    expect(late.status).toBe(409);
    expect(late.body.type).toBe('urn:motcua:problem:conflict');
    expect(await documents(code)).toEqual([]);
  });
});

describe('a component the dossier does not list', () => {
  const mandate = pngFile();
  const request = { kind: 'component', component: 'UQ', ...declaring(mandate, 'image/png', 'uy-quyen.png') };

  it('is added through the supplement that asks for it: its file is taken and it joins the dossier, not mandatory', async () => {
    const { code, etag } = await dossierAt('awaiting_supplement', {}, { components: ['UQ'] });
    const read = await ward.api.get(`/dossiers/${code}`, { as: officer });
    expect(read.body.supplement.components).toEqual([{ code: 'UQ', name: expect.any(String) }]);
    const { uploadId } = await upload(code, request, mandate, portal);
    await ward.settle();
    expect(await documents(code)).toEqual([
      expect.objectContaining({ id: uploadId, kind: 'component', component: 'UQ', state: 'verified' }),
    ]);
    const item = await dossierItem(code);
    expect(item.components.map((c: { code: string }) => c.code)).toEqual(['TK', 'GCS', 'UQ']);
    expect(item.components[2]).toMatchObject({ code: 'UQ', mandatory: false, document: { sha256: sha256Of(mandate) } });
    expect(item.componentCodes).toEqual(['TK', 'GCS', 'UQ']);
    // The dossier's components changed: the ETag read before says so (412), a fresh one hands the supplement in.
    const stale = await ward.api.post(
      `/dossiers/${code}/actions`,
      { action: 'supplement_received' },
      { as: portal, headers: { 'if-match': etag } },
    );
    expect(stale.status).toBe(412);
    const fresh = (await ward.api.get(`/dossiers/${code}`, { as: officer })).headers.get('etag')!;
    const handedIn = await ward.api.post(
      `/dossiers/${code}/actions`,
      { action: 'supplement_received' },
      { as: portal, headers: { 'if-match': fresh } },
    );
    expect(handedIn.status, JSON.stringify(handedIn.body)).toBe(200);
    expect((await ward.api.get(`/dossiers/${code}`, { as: officer })).body.components).toHaveLength(3);
  });

  it('is still a 422 otherwise: while no supplement is awaited, or one that does not ask for it', async () => {
    const open = await dossierAt('in_progress');
    const notAwaiting = await ward.api.post(`/dossiers/${open.code}/documents`, request, { as: portal });
    expect(notAwaiting.status).toBe(422);
    expect(notAwaiting.body.errors).toEqual([expect.objectContaining({ field: 'component', rule: 'component_filed' })]);
    const other = await dossierAt('awaiting_supplement');
    const notAsked = await ward.api.post(`/dossiers/${other.code}/documents`, request, { as: portal });
    expect(notAsked.status).toBe(422);
    expect(await documents(open.code)).toEqual([]);
    expect(await documents(other.code)).toEqual([]);
  });

  it('is named by a supplement request only among the procedure’s components: another code is a 400 naming it', async () => {
    const { code, etag } = await dossierAt('in_progress');
    const refused = await ward.api.post(
      `/dossiers/${code}/actions`,
      { action: 'request_supplement', missing: ['Giấy tờ khác'], components: ['UQ', 'XYZ'] },
      { as: holder, headers: { 'if-match': etag } },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ in: 'body', field: 'components.1', rule: 'unknown_component' }),
    ]);
    expect((await dossierItem(code)).status).toBe('in_progress');
  });
});

describe('done when: real files through the presigned uploads of POST /documents', () => {
  it.each([
    { file: 'a PDF', contentType: 'application/pdf', bytes: pdfFile() },
    { file: 'a JPEG', contentType: 'image/jpeg', bytes: jpegFile() },
    { file: 'a PNG', contentType: 'image/png', bytes: pngFile() },
  ])('verifies $file made in the test, and keeps it', async ({ contentType, bytes }) => {
    const { code } = await dossierAt('submitted');
    const { uploadId, key } = await upload(
      code,
      { kind: 'component', component: 'GCS', ...declaring(bytes, contentType) },
      bytes,
      portal,
    );
    await ward.settle();
    expect(await documents(code)).toEqual([
      expect.objectContaining({ id: uploadId, state: 'verified', contentType, sha256: sha256Of(bytes) }),
    ]);
    expect((await objectsUnder(code)).map((o) => o.Key)).toEqual([key]);
  });

  const text = Buffer.from('Tờ khai đăng ký khai sinh, bản đánh máy\n');
  // A PDF's header and trailer, without the cross-reference section a reader starts from.
  const fakePdf = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  const otherPdf = Buffer.from(PDF_BYTES.toString('latin1').replace('Catalog', 'Catalof'), 'latin1');
  it.each([
    {
      file: 'a file whose bytes are not the declared SHA-256',
      declared: PDF_BYTES,
      body: otherPdf,
      reason: 'checksum_mismatch',
      vi: 'Mã SHA-256 của tệp khác mã đã khai',
      en: 'The file’s SHA-256 is not the declared one',
    },
    {
      file: 'a file of another size than declared',
      declared: PDF_BYTES,
      body: Buffer.concat([PDF_BYTES, text]),
      reason: 'size_mismatch',
      vi: 'Kích thước tệp khác kích thước đã khai.',
      en: 'The file’s size is not the declared one.',
    },
    {
      file: 'a text file named .pdf',
      declared: text,
      body: text,
      reason: 'unsupported_type',
      vi: 'Tệp không phải PDF, JPEG, PNG hay TIFF.',
      en: 'The file is no PDF, JPEG, PNG or TIFF.',
    },
    {
      file: 'a file that starts like a PDF but is not one',
      declared: fakePdf,
      body: fakePdf,
      reason: 'malformed',
      vi: 'Tệp có phần đầu giống định dạng đã khai',
      en: 'The file starts like the declared type',
      defect: {
        code: 'pdf_no_startxref',
        vi: 'Tệp PDF không có startxref trỏ tới bảng tham chiếu chéo ở cuối tệp.',
        en: 'The PDF has no startxref pointing at its cross-reference section at its end.',
      },
    },
  ])('refuses $file: nothing left under the dossier, the reason listed in the caller’s language', async (c) => {
    expect(otherPdf.length).toBe(PDF_BYTES.length);
    const { code } = await dossierAt('submitted');
    const { uploadId } = await upload(
      code,
      { kind: 'component', component: 'TK', ...declaring(c.declared, 'application/pdf', 'to-khai.pdf') },
      c.declared,
      portal,
      c.body,
    );
    await ward.settle();
    // The local S3 keeps no versions; the stack's bucket does, and the check deletes the version it read.
    expect(await objectsUnder(code)).toEqual([]);
    expect((await dossierItem(code)).components[0].document).toBeUndefined();
    for (const [headers, language] of [
      [{}, 'vi'],
      [en, 'en'],
    ] as const) {
      const [listed] = await documents(code, headers);
      expect(listed).toMatchObject({ id: uploadId, state: 'rejected', reason: c.reason });
      expect(listed!.reasonDetail).toContain(c[language]);
      if (c.defect) expect(listed!.defect).toEqual({ code: c.defect.code, detail: c.defect[language] });
      else expect(listed).not.toHaveProperty('defect');
    }
  });
});
