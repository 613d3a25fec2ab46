import { randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { bucketName, s3 } from '../../shared/adapters/aws.ts';
import { createUpload, getUpload, listUploads, recordReuse } from '../../shared/adapters/document-store.ts';
import { getDossier } from '../../shared/adapters/dossier-store.ts';
import { findProcedure, wardConfig } from '../../shared/config/current-ward.ts';
import {
  allowsElectronicResult,
  awaitedComponent,
  type DocumentTarget,
  isReusable,
  mayAddDocuments,
  mayAddOfficePapers,
  RESULT_STATUSES,
  type RejectionReason,
  targetKey,
  targetOf,
  type Upload,
  type UploadRequester,
} from '../../shared/domain/documents.ts';
import { type Actor, type Dossier, isFinished } from '../../shared/domain/dossier.ts';
import {
  Conflict,
  Forbidden,
  NotFound,
  RuleBroken,
  ServiceUnavailable,
  Unprocessable,
} from '../../shared/domain/errors.ts';
import { actorsOf } from '../../shared/http/actors.ts';
import type { Principal } from '../../shared/http/auth.ts';
import { httpFunction } from '../../shared/http/handler.ts';
import { type Locale, message } from '../../shared/http/messages.ts';

const EXPIRES_SECONDS = 15 * 60;
/** A download URL is for opening the file now, not for passing around. */
const DOWNLOAD_SECONDS = 5 * 60;

/*
 * A presigned PUT rather than a presigned POST: its SigV4 signature covers Content-Type, Content-Length and
 * x-amz-checksum-sha256, so S3 itself refuses any other type, any other size (a POST policy can only bound it with
 * content-length-range) and any other bytes (S3 checks the body against the signed SHA-256). One file, exactly the
 * declared one, in a plain PUT any HTTP client can send. The ticket stored beside the dossier is what the check
 * after upload compares the object with, since no client claim is trusted there.
 */
/** A portal sees only what it filed; to it, anything else does not exist (the same 404 as an unknown code). */
async function visibleDossier(code: string, principal: Principal) {
  const dossier = await getDossier(code);
  if (!dossier || (principal.kind === 'portal' && dossier.portalId !== principal.portalId)) {
    throw new NotFound('dossier_not_found', { code });
  }
  return dossier;
}

/** Why a file was refused, in the message catalog's words. */
const reasonMessages: Record<RejectionReason, string> = {
  empty: 'document_empty',
  too_large: 'document_too_large',
  size_mismatch: 'document_size_mismatch',
  checksum_mismatch: 'document_checksum_mismatch',
  unsupported_type: 'document_unsupported_type',
  type_mismatch: 'document_type_mismatch',
  malformed: 'malformed',
  component_not_filed: 'component_not_filed',
  dossier_not_resolved: 'document_not_resolved',
  ticket_used: 'document_ticket_used',
};

/**
 * An upload as the documents list shows it: what was declared, and what was measured once a file came; a rejection's
 * reason and defect also in the caller's language.
 */
function documentOf(upload: Upload, locale: Locale) {
  const target = targetOf(upload);
  const reason = upload.reason && upload.reason !== 'ticket_used' ? upload.reason : undefined;
  return {
    id: upload.uploadId,
    kind: target.kind,
    ...(target.kind === 'component' ? { component: target.componentCode } : {}),
    fileName: upload.fileName,
    state: upload.state,
    ...(reason
      ? {
          reason,
          reasonDetail: message(reasonMessages[reason], locale, { component: upload.componentCode }) ?? reason,
        }
      : {}),
    ...(reason && upload.defect
      ? {
          defect: {
            code: upload.defect.code,
            detail:
              message(upload.defect.code, locale, 'params' in upload.defect ? upload.defect.params : {}) ??
              upload.defect.code,
          },
        }
      : {}),
    contentType: upload.expected.contentType,
    sizeBytes: upload.expected.sizeBytes,
    sha256: upload.expected.sha256,
    ...(upload.object
      ? {
          stored: {
            sizeBytes: upload.object.sizeBytes,
            ...(upload.object.sha256 ? { sha256: upload.object.sha256 } : {}),
          },
        }
      : {}),
    ...(upload.reusedFrom
      ? { reusedFrom: { dossier: upload.reusedFrom.code, document: upload.reusedFrom.uploadId } }
      : {}),
    uploadedBy: upload.requestedBy,
    requestedAt: upload.requestedAt,
    ...(upload.checkedAt ? { checkedAt: upload.checkedAt } : {}),
    ...(upload.state === 'awaiting' && upload.expiresAt !== undefined
      ? { expiresAt: new Date(upload.expiresAt * 1000).toISOString() }
      : {}),
  };
}

/** What an upload is asked for with: the file it must be. */
type UploadAsked = { fileName: string; contentType: string; sizeBytes: number; sha256: string };

/**
 * Refuses an upload the dossier does not take now: a component it does not list (a 422 naming `field`, the body
 * field that chose it; the older route chose it in the path) unless the supplement it awaits asks for it; a result
 * outside `resolved`, or where the procedure's result form is paper only; a result or an extra page from a portal, or
 * from staff not handling the dossier; anything on a finished dossier. A supplement-awaited component is allowed.
 */
function admit(dossier: Dossier, target: DocumentTarget, actors: Actor[], field: string | undefined): void {
  const assignment = { assignee: dossier.assignee ?? null, department: dossier.department ?? null };
  const staff = wardConfig().staff;
  if (target.kind !== 'component') {
    if (!mayAddOfficePapers(assignment, actors, staff)) {
      if (actors.some((a) => a.kind === 'staff')) throw new Forbidden('action_assigned_to_other', { action: 'upload' });
      throw new Forbidden('office_papers_by_staff', { kind: target.kind });
    }
  } else if (!mayAddDocuments(assignment, actors, staff))
    throw new Forbidden('action_assigned_to_other', { action: 'upload-url' });
  if (target.kind === 'result') {
    if (!(RESULT_STATUSES as readonly string[]).includes(dossier.status))
      throw new Conflict('result_not_resolved', { code: dossier.code, status: dossier.status });
    if (!allowsElectronicResult(findProcedure(dossier.procedure.code)?.resultForm)) {
      throw new RuleBroken(
        {
          in: 'body',
          field: 'kind',
          rule: 'electronic_result_form',
          message: 'result_form_paper',
          params: { procedure: dossier.procedure.code },
        },
        { procedure: dossier.procedure.code },
      );
    }
    return;
  }
  if (isFinished(dossier.status))
    throw new Conflict('dossier_finished', { code: dossier.code, status: dossier.status });
  if (target.kind !== 'component') return;
  const { componentCode } = target;
  if (dossier.components.some((c) => c.code === componentCode) || awaitedComponent(dossier, componentCode)) return;
  const components = { components: dossier.components.map((c) => c.code) };
  if (field === undefined) throw new Unprocessable('component_not_filed', { component: componentCode }, components);
  throw new RuleBroken(
    {
      in: 'body',
      field,
      rule: 'component_filed',
      message: 'component_not_filed',
      params: { component: componentCode },
    },
    components,
  );
}

/** Signs the URL of one upload and stores its record, once the dossier takes it (see `admit`). */
async function signUpload(
  code: string,
  target: DocumentTarget,
  request: UploadAsked,
  principal: Principal,
  receivedAt: number,
  field?: string,
) {
  const dossier = await visibleDossier(code, principal);
  const actors = actorsOf(principal);
  admit(dossier, target, actors, field);
  const [actor] = actors;
  if (!actor) throw new Error('the route admits staff and portals only');
  const requestedBy: UploadRequester = { kind: actor.kind, id: actor.id, name: actor.name };
  const uploadId = randomUUID();
  const key = targetKey(dossier.code, target, uploadId, request.fileName);
  const sha256 = request.sha256.toLowerCase();
  const expiresAt = Math.floor(receivedAt / 1000) + EXPIRES_SECONDS;
  await createUpload({
    code: dossier.code,
    uploadId,
    ...(target.kind === 'component' ? { componentCode: target.componentCode } : { kind: target.kind }),
    key,
    fileName: request.fileName,
    expected: { contentType: request.contentType, sizeBytes: request.sizeBytes, sha256 },
    requestedBy,
    requestedAt: new Date(receivedAt).toISOString(),
    state: 'awaiting',
    expiresAt,
  });
  const checksum = Buffer.from(sha256, 'hex').toString('base64');
  const url = await getSignedUrl(
    s3(),
    new PutObjectCommand({
      Bucket: bucketName(),
      Key: key,
      ContentType: request.contentType,
      ContentLength: request.sizeBytes,
      ChecksumSHA256: checksum,
    }),
    {
      expiresIn: EXPIRES_SECONDS,
      signingDate: new Date(receivedAt),
      // The presigner leaves Content-Type unsigned and moves x-amz-* headers into the query unless told otherwise.
      signableHeaders: new Set(['content-type', 'content-length']),
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    },
  );
  return {
    status: 201,
    body: {
      uploadId,
      method: 'PUT',
      url,
      headers: {
        'content-type': request.contentType,
        'content-length': String(request.sizeBytes),
        'x-amz-checksum-sha256': checksum,
      },
      key,
      expiresAt: new Date(expiresAt * 1000).toISOString(),
    },
  };
}

/** Reading the target again after another write raced the reuse's: a handful, then the caller retries. */
const REUSE_ATTEMPTS = 5;

/**
 * Reuse (tái sử dụng): the component points at an earlier dossier's verified document of the same applicant; no byte
 * is copied. Who may: whoever may add a document to this dossier (as for an upload), and who may see the source
 * dossier: whoever reads this dossier can then download the source's file, so a portal that could reuse from a
 * dossier it did not file would read, through its own, a file it is refused directly (an ID number is no secret).
 * Staff see every dossier of the ward, so an officer at the counter may reuse from any dossier of the applicant.
 * Every refusal about the source, whatever its reason, is the 404 of a document that does not exist, after the same
 * two reads: a portal guessing codes and ids learns nothing of which dossiers or documents exist or whose they are.
 */
async function reuseDocument(
  code: string,
  request: { component: string; source: { dossier: string; document: string } },
  principal: Principal,
  receivedAt: number,
  locale: Locale,
) {
  const [source, document] = await Promise.all([
    getDossier(request.source.dossier),
    getUpload(request.source.dossier, request.source.document),
  ]);
  const actors = actorsOf(principal);
  const [actor] = actors;
  if (!actor) throw new Error('the route admits staff and portals only');
  for (let attempt = 0; attempt < REUSE_ATTEMPTS; attempt++) {
    const dossier = await visibleDossier(code, principal);
    const assignment = { assignee: dossier.assignee ?? null, department: dossier.department ?? null };
    if (!mayAddDocuments(assignment, actors, wardConfig().staff))
      throw new Forbidden('action_assigned_to_other', { action: 'reuse' });
    if (isFinished(dossier.status))
      throw new Conflict('dossier_finished', { code: dossier.code, status: dossier.status });
    const index = dossier.components.findIndex((c) => c.code === request.component);
    if (index < 0)
      throw new RuleBroken(
        {
          in: 'body',
          field: 'component',
          rule: 'component_filed',
          message: 'component_not_filed',
          params: { component: request.component },
        },
        { components: dossier.components.map((c) => c.code) },
      );
    const seen = source && (principal.kind !== 'portal' || source.portalId === principal.portalId) ? source : undefined;
    if (!isReusable(dossier, seen, document))
      throw new NotFound('document_not_found', { code: request.source.dossier, id: request.source.document });
    const reuse: Upload = {
      code: dossier.code,
      uploadId: randomUUID(),
      componentCode: request.component,
      key: document.key,
      fileName: document.fileName,
      expected: document.expected,
      requestedBy: { kind: actor.kind, id: actor.id, name: actor.name },
      requestedAt: new Date(receivedAt).toISOString(),
      state: 'reused',
      ...(document.checkedAt ? { checkedAt: document.checkedAt } : {}),
      object: document.object,
      ...(document.contentType ? { contentType: document.contentType } : {}),
      reusedFrom: { code: document.code, uploadId: document.uploadId },
    };
    if (await recordReuse(dossier, index, reuse)) return { status: 201, body: documentOf(reuse, locale) };
  }
  throw new ServiceUnavailable('document_reuse_busy', 1, { code });
}

export const handler = httpFunction('document-upload', {
  'GET /dossiers/{code}/documents': async ({ params, query, principal, locale }) => {
    const dossier = await visibleDossier(params.code, principal);
    const page = await listUploads(dossier.code, { limit: query.limit, after: query.cursor });
    return {
      status: 200,
      body: {
        code: dossier.code,
        items: page.items.map((upload) => documentOf(upload, locale)),
        ...(page.after ? { cursor: page.after } : {}),
      },
      headers: { 'cache-control': 'no-store' },
    };
  },
  'GET /dossiers/{code}/documents/{id}': async ({ params, principal, receivedAt, locale }) => {
    const dossier = await visibleDossier(params.code, principal);
    const upload = await getUpload(dossier.code, params.id);
    if (!upload) throw new NotFound('document_not_found', { code: dossier.code, id: params.id });
    // Only a verified file is there to read: an awaiting upload has none yet, a rejected one was deleted. A reused
    // one reads the source's file, the version that was verified there.
    const download =
      upload.state === 'verified' || upload.state === 'reused'
        ? {
            url: await getSignedUrl(
              s3(),
              new GetObjectCommand({
                Bucket: bucketName(),
                Key: upload.key,
                // The version that was verified, where the bucket keeps versions: a later write cannot swap the bytes.
                ...(upload.object?.versionId ? { VersionId: upload.object.versionId } : {}),
              }),
              { expiresIn: DOWNLOAD_SECONDS, signingDate: new Date(receivedAt) },
            ),
            expiresAt: new Date(Math.floor(receivedAt / 1000) * 1000 + DOWNLOAD_SECONDS * 1000).toISOString(),
          }
        : undefined;
    return {
      status: 200,
      body: { ...documentOf(upload, locale), ...(download ? { download } : {}) },
      headers: { 'cache-control': 'no-store' },
    };
  },
  'POST /dossiers/{code}/documents': async ({ params, body, principal, receivedAt }) => {
    const { fileName, contentType, sizeBytes, sha256 } = body;
    const target: DocumentTarget =
      body.kind === 'component' ? { kind: 'component', componentCode: body.component } : { kind: body.kind };
    return signUpload(
      params.code,
      target,
      { fileName, contentType, sizeBytes, sha256 },
      principal,
      receivedAt,
      'component',
    );
  },
  'POST /dossiers/{code}/documents/reuse': async ({ params, body, principal, receivedAt, locale }) =>
    reuseDocument(params.code, body, principal, receivedAt, locale),
  'POST /dossiers/{code}/components/{component}/upload-url': async ({ params, body, principal, receivedAt }) =>
    signUpload(params.code, { kind: 'component', componentCode: params.component }, body, principal, receivedAt),
});
