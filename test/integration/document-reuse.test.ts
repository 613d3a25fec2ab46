import { createHash, randomUUID } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRequest } from '../../local/issuer.ts';
import { getUpload, recordCheck } from '../../shared/adapters/document-store.ts';
import { dayCounters } from '../../shared/adapters/report-store.ts';
import { localDateOf } from '../../shared/domain/zoned-time.ts';
import { applicant, birthRegistration, idempotent, PDF_BYTES } from '../support/fixtures.ts';
import { pngFile } from '../support/scans.ts';
import { leader, officer, portal, startTestWard, type TestWard } from '../support/ward.ts';

/*
 * Reuse (tái sử dụng): a component of a dossier taken from an earlier dossier's verified document of the same
 * applicant, without copying bytes, through the API, the table and the bucket of a local ward; its effect on the
 * digitised flag reaches GET /reports through the table's stream.
 */

let ward: TestWard;
beforeAll(async () => {
  // A second portal that files dossiers too: a source its dossiers hold is not the first portal's to reuse.
  ward = await startTestWard((w) => ({
    ...w,
    portals: [...w.portals, { id: 'tinh-portal', name: 'Cổng Dịch vụ công tỉnh' }],
  }));
});
afterAll(async () => {
  await ward?.stop();
});

const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const otherPortal: TokenRequest = { portal: 'tinh-portal' };
const otherApplicant = { ...applicant, fullName: 'Trần Văn Bình', idNumber: '001085054321' };
/** The birth certificate scan (GCS): a PNG, so its bytes are not the declaration's. */
const certificate = pngFile();

async function file(as: TokenRequest = portal, overrides: Record<string, unknown> = {}): Promise<string> {
  const online = 'portal' in as;
  const filed = await ward.api.post(
    '/dossiers',
    birthRegistration({ ...(online ? {} : { channel: 'in_person' }), ...overrides }),
    { as, ...(online ? { headers: idempotent() } : {}) },
  );
  expect(filed.status, JSON.stringify(filed.body)).toBe(201);
  return filed.body.code;
}

/** Uploads `bytes` as the component through a presigned PUT; the check runs when the ward settles. */
async function upload(code: string, component: string, bytes: Buffer, as: TokenRequest = portal, declared = {}) {
  const png = bytes === certificate;
  const ticket = await ward.api.post(
    `/dossiers/${code}/documents`,
    {
      kind: 'component',
      component,
      fileName: png ? 'giay-chung-sinh.png' : 'to-khai.pdf',
      contentType: png ? 'image/png' : 'application/pdf',
      sizeBytes: bytes.length,
      sha256: sha256Of(bytes),
      ...declared,
    },
    { as },
  );
  expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
  const put = await fetch(ticket.body.url, { method: 'PUT', headers: ticket.body.headers, body: bytes });
  expect(put.status).toBe(200);
  return ticket.body.uploadId as string;
}

const reuse = (
  code: string,
  component: string,
  source: { dossier: string; document: string },
  as: TokenRequest = portal,
) =>
  ward.api.post(
    `/dossiers/${code}/documents/reuse`,
    { component, source },
    { as, headers: { 'accept-language': 'en' } },
  );

/** Every object in the ward's bucket (a few per test here: well within one page). */
async function bucketObjects(): Promise<string[]> {
  const listed = await ward.clients.s3.send(new ListObjectsV2Command({ Bucket: ward.resources.bucketName }));
  expect(listed.IsTruncated).toBeFalsy();
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

describe('POST /dossiers/{code}/documents/reuse', () => {
  it('points a component at the same applicant’s earlier verified document: listed as reused, downloading the source’s bytes, nothing copied', async () => {
    const earlier = await file();
    const source = await upload(earlier, 'GCS', certificate);
    const later = await file();
    await upload(later, 'TK', PDF_BYTES);
    await ward.settle();
    const objects = await bucketObjects();

    const reused = await reuse(later, 'GCS', { dossier: earlier, document: source });
    expect(reused.status, JSON.stringify(reused.body)).toBe(201);
    expect(reused.body).toMatchObject({
      kind: 'component',
      component: 'GCS',
      state: 'reused',
      reusedFrom: { dossier: earlier, document: source },
      fileName: 'giay-chung-sinh.png',
      contentType: 'image/png',
      sizeBytes: certificate.length,
      sha256: sha256Of(certificate),
      uploadedBy: { kind: 'portal', id: 'dvcqg' },
    });
    expect(reused.body.id).not.toBe(source);
    await ward.settle();
    // No object was written: the new document is the source's object.
    expect(await bucketObjects()).toEqual(objects);

    const listed = await ward.api.get(`/dossiers/${later}/documents`, { as: officer });
    expect(listed.body.items).toContainEqual(expect.objectContaining({ id: reused.body.id, state: 'reused' }));
    const shown = await ward.api.get(`/dossiers/${later}/documents/${reused.body.id}`, { as: portal });
    expect(shown.status).toBe(200);
    const downloaded = await fetch(shown.body.download.url);
    expect(downloaded.status).toBe(200);
    expect(Buffer.from(await downloaded.arrayBuffer()).equals(certificate)).toBe(true);
    expect(new URL(shown.body.download.url).pathname).toContain(`/dossiers/${earlier}/components/GCS/${source}-`);

    // TK verified and GCS reused: every mandatory component is digitised, and the dossier says so.
    const dossier = await ward.api.get(`/dossiers/${later}`, { as: officer });
    expect(dossier.body.components.find((c: { code: string }) => c.code === 'GCS')).toMatchObject({
      reused: { id: reused.body.id },
    });
    expect(dossier.body.components.find((c: { code: string }) => c.code === 'GCS')).not.toHaveProperty('document');
    expect(dossier.body.digitisedAt).toEqual(expect.any(String));
  });

  it('refuses, exactly as a document that does not exist, every source that is not the same applicant’s verified document the caller may see', async () => {
    const target = await file();
    const [ofAnother, awaiting, rejected, byOtherPortal, verifiedHere] = [
      await file(portal, { applicant: otherApplicant }),
      await file(),
      await file(),
      await file(otherPortal),
      await file(),
    ];
    const sources = {
      'another applicant’s verified document': {
        dossier: ofAnother,
        document: await upload(ofAnother, 'GCS', certificate),
      },
      'a document awaiting its file': {
        dossier: awaiting,
        document: (
          await ward.api.post(
            `/dossiers/${awaiting}/documents`,
            {
              kind: 'component',
              component: 'GCS',
              fileName: 'g.png',
              contentType: 'image/png',
              sizeBytes: 9,
              sha256: 'ab'.repeat(32),
            },
            { as: portal },
          )
        ).body.uploadId,
      },
      // The PDF's bytes declared as a PNG: stored, then refused by the check and deleted.
      'a rejected document': {
        dossier: rejected,
        document: await upload(rejected, 'GCS', PDF_BYTES, portal, { contentType: 'image/png' }),
      },
      'a verified document of a dossier another portal filed': {
        dossier: byOtherPortal,
        document: await upload(byOtherPortal, 'GCS', certificate, otherPortal),
      },
      'a verified document of the dossier itself': { dossier: target, document: await upload(target, 'TK', PDF_BYTES) },
      'an id no document of the dossier has': { dossier: verifiedHere, document: randomUUID() },
    };
    const verified = await upload(verifiedHere, 'GCS', certificate);
    await ward.settle();
    // A well-formed code of another unit (another ward's form), with the id of a verified document of this ward.
    const elsewhere = verifiedHere.replace(/^[^-]+/, '001.23.45.H10');
    const refused: Record<string, { dossier: string; document: string }> = {
      ...sources,
      'a dossier code of another ward': { dossier: elsewhere, document: verified },
    };
    const objects = await bucketObjects();

    // Word for word but the source it names (the target's path is the same for all); only the correlation id differs.
    const shape = (
      body: Record<string, unknown>,
      { dossier, document }: { dossier: string; document: string },
    ): Record<string, unknown> => ({
      ...body,
      correlationId: undefined,
      detail: String(body.detail).replaceAll(dossier, '<code>').replaceAll(document, '<id>'),
    });
    const answers = [];
    for (const [name, source] of Object.entries(refused)) {
      const answer = await reuse(target, 'GCS', source);
      expect(answer.status, name).toBe(404);
      answers.push([name, shape(answer.body, source)] as const);
    }
    const [first] = answers;
    expect(first![1]).toMatchObject({
      type: 'urn:motcua:problem:not_found',
      detail: 'Dossier <code> has no document <id>.',
    });
    for (const [name, body] of answers) expect(body, name).toEqual(first![1]);
    // The same words a reader gets for a document that is not there.
    const absent = randomUUID();
    const missing = await ward.api.get(`/dossiers/${verifiedHere}/documents/${absent}`, {
      as: portal,
      headers: { 'accept-language': 'en' },
    });
    expect(shape(missing.body, { dossier: verifiedHere, document: absent })).toMatchObject({
      type: first![1].type,
      title: first![1].title,
      detail: first![1].detail,
    });

    // Nothing was written: no document, no marked component, no object.
    const listed = await ward.api.get(`/dossiers/${target}/documents`, { as: officer });
    expect(listed.body.items.filter((d: { state: string }) => d.state === 'reused')).toEqual([]);
    const dossier = await ward.api.get(`/dossiers/${target}`, { as: officer });
    expect(dossier.body.components.some((c: { reused?: unknown }) => c.reused)).toBe(false);
    expect(await bucketObjects()).toEqual(objects);

    // The one that is the applicant's, verified and the portal's own, is taken; and staff, who see every dossier of
    // the ward, may reuse the one the other portal filed.
    expect((await reuse(target, 'GCS', { dossier: verifiedHere, document: verified })).status).toBe(201);
    expect(
      (await reuse(target, 'GCS', refused['a verified document of a dossier another portal filed']!, officer)).status,
    ).toBe(201);
  });

  it('answers for the target as an upload does: its component named, its holder only, not once finished', async () => {
    const earlier = await file();
    const source = { dossier: earlier, document: await upload(earlier, 'GCS', certificate) };
    await ward.settle();
    const target = await file();
    const unlisted = await reuse(target, 'UQ', source);
    expect(unlisted.status).toBe(422);
    expect(unlisted.body.errors).toEqual([
      expect.objectContaining({ in: 'body', field: 'component', rule: 'component_filed' }),
    ]);
    const badSource = await reuse(target, 'GCS', { dossier: 'DOSSIER#x', document: 'TK' });
    expect(badSource.status).toBe(400);
    expect(badSource.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'source.document',
      'source.dossier',
    ]);
    // Another portal does not see the target: the 404 of a dossier that does not exist.
    const hidden = await reuse(target, 'GCS', source, otherPortal);
    expect(hidden.status).toBe(404);
    expect(hidden.body.detail).toBe(`There is no dossier ${target}.`);
    // Assigned to specialist.42: another specialist may not put a document there; a leader adds none.
    const accepted = await ward.api.post(
      `/dossiers/${target}/actions`,
      { action: 'accept' },
      {
        as: officer,
        headers: { 'if-match': (await ward.api.get(`/dossiers/${target}`, { as: officer })).headers.get('etag')! },
      },
    );
    expect(accepted.status).toBe(200);
    const assigned = await ward.api.post(
      `/dossiers/${target}/actions`,
      { action: 'assign', assignee: 'specialist.42' },
      {
        as: leader,
        headers: { 'if-match': accepted.headers.get('etag')! },
      },
    );
    expect(assigned.status).toBe(200);
    expect((await reuse(target, 'GCS', source, { role: 'specialist', username: 'specialist.43' })).status).toBe(403);
    expect((await reuse(target, 'GCS', source, leader)).status).toBe(403);
    expect((await reuse(target, 'GCS', source, { portal: 'dvcqg', scopes: ['dossiers.read'] })).status).toBe(403);
    expect((await reuse(target, 'GCS', source, { role: 'specialist', username: 'specialist.42' })).status).toBe(201);
    const withdrawn = await ward.api.post(
      `/dossiers/${target}/actions`,
      { action: 'withdraw', reason: 'Công dân xin rút hồ sơ' },
      {
        as: portal,
        headers: { 'if-match': (await ward.api.get(`/dossiers/${target}`, { as: officer })).headers.get('etag')! },
      },
    );
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    expect((await reuse(target, 'GCS', source)).status).toBe(409);
  });
});

describe('a reuse in the reports', () => {
  it('makes a received dossier digitised and counts the reused component, through the stream to GET /reports', async () => {
    // Đăng ký lại khai sinh (TK and BSKS mandatory), at the counter: received at once, its own procedure's figures.
    const procedure = '1.004884';
    const earlier = await file();
    const source = await upload(earlier, 'GCS', certificate);
    const target = await file(officer, { procedureCode: procedure, components: ['TK', 'BSKS'] });
    await upload(target, 'TK', PDF_BYTES, officer);
    await ward.settle();
    const receivedAt = (await ward.api.get(`/dossiers/${target}`, { as: officer })).body.receivedAt as string;
    const day = localDateOf(Date.parse(receivedAt), ward.ward.timeZone);
    const report = () => ward.api.get(`/reports?from=${day}&to=${day}&procedure=${procedure}`, { as: leader });
    const counted = async () =>
      (await ward.runAs('reports', () => dayCounters(`procedure#${procedure}`, day, day)))[0] ?? {};

    const before = await report();
    expect(before.body.figures.received).toBe(1);
    expect(before.body.figures.digitisationRate).toEqual({ numerator: 0, denominator: 1, percent: '0.00%' });

    // The officer at the counter takes the birth certificate the portal's earlier dossier holds, as the BSKS paper.
    expect((await reuse(target, 'BSKS', { dossier: earlier, document: source }, officer)).status).toBe(201);
    await ward.settle();
    const after = await report();
    expect(after.body.figures.digitisationRate).toEqual({ numerator: 1, denominator: 1, percent: '100.00%' });
    expect(await counted()).toMatchObject({ received: 1, digitised: 1, reused: 1 });
  });
});

describe('the digitised flag', () => {
  it('is set when the last two mandatory components are checked at the same moment', async () => {
    // Both checks read the dossier before either writes: each sees the other component missing, and only the
    // condition on the other component's state sends one of them back to read again and set the flag.
    for (let round = 0; round < 3; round++) {
      const code = await file();
      const tickets = await Promise.all(
        (['TK', 'GCS'] as const).map((component) =>
          ward.api.post(
            `/dossiers/${code}/documents`,
            {
              kind: 'component',
              component,
              fileName: 'to-khai.pdf',
              contentType: 'application/pdf',
              sizeBytes: PDF_BYTES.length,
              sha256: sha256Of(PDF_BYTES),
            },
            { as: portal },
          ),
        ),
      );
      const at = new Date().toISOString();
      await ward.runAs('document-verify', async () => {
        const uploads = await Promise.all(tickets.map((t) => getUpload(code, t.body.uploadId)));
        const verdicts = await Promise.all(
          uploads.map((upload, i) =>
            recordCheck(
              upload!,
              { at, object: { sequencer: `0${i}`, sizeBytes: PDF_BYTES.length, sha256: sha256Of(PDF_BYTES) } },
              { ok: true, contentType: 'application/pdf' },
            ),
          ),
        );
        expect(verdicts).toEqual([expect.objectContaining({ ok: true }), expect.objectContaining({ ok: true })]);
      });
      const dossier = await ward.api.get(`/dossiers/${code}`, { as: officer });
      expect(dossier.body.components.every((c: { document?: unknown }) => c.document)).toBe(true);
      expect(dossier.body.digitisedAt, `round ${round}`).toBe(at);
    }
  });
});
