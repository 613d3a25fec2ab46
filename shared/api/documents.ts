import * as z from 'zod';
import { documentKinds, MAX_DOCUMENT_BYTES } from '../domain/documents.ts';
import { DOSSIER_CODE_PATTERN } from '../domain/dossier.ts';
import { freeText } from './text.ts';

export const uploadParams = z.object({
  code: z.string().min(1).max(64),
  component: z
    .string()
    .regex(/^[A-Z0-9_-]{1,20}$/)
    .meta({ description: 'Component code of the dossier, e.g. TK' }),
});

export const documentTypes = ['application/pdf', 'image/jpeg', 'image/png', 'image/tiff'] as const;

export const uploadRequest = z
  .object({
    fileName: freeText({ max: 200 }),
    contentType: z.enum(documentTypes),
    sizeBytes: z.number().int().positive().max(MAX_DOCUMENT_BYTES),
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'sha256_hex')
      .meta({ description: 'SHA-256 of the file, 64 hexadecimal characters; the upload URL accepts only this file' }),
  })
  .strict()
  .meta({ id: 'UploadRequest' });

export const documentRequest = z
  .discriminatedUnion('kind', [
    uploadRequest
      .extend({
        kind: z.literal('component').meta({ description: '`component`: a paper of the dossier, named by its code' }),
        component: uploadParams.shape.component,
      })
      .strict(),
    uploadRequest
      .extend({
        kind: z.literal('result').meta({
          description:
            '`result`: the electronic result, by staff handling the dossier once it is resolved, where the procedure’s result form allows one; verified, it is the dossier’s e-result',
        }),
      })
      .strict(),
    uploadRequest
      .extend({
        kind: z.literal('extra').meta({
          description: '`extra`: a page the dossier does not list (one scanned in review), by staff handling it',
        }),
      })
      .strict(),
  ])
  .meta({ id: 'DocumentRequest' });

export const reuseRequest = z
  .object({
    component: uploadParams.shape.component,
    source: z
      .object({
        dossier: z
          .string()
          .regex(DOSSIER_CODE_PATTERN)
          .meta({ description: 'The earlier dossier’s code, e.g. 000.00.00.H99-250301-0007' }),
        document: z.uuid().meta({ description: 'Its document’s id, as its documents list gives it' }),
      })
      .strict(),
  })
  .strict()
  .meta({
    id: 'ReuseRequest',
    description:
      'A component of this dossier taken from an earlier dossier’s verified document of the same applicant (same ID number), instead of a new upload',
  });

export const uploadTicket = z
  .object({
    uploadId: z.uuid().meta({
      description: 'The upload’s own record, where its check (verified, or rejected with the reason) is kept',
    }),
    method: z.literal('PUT'),
    url: z
      .url()
      .meta({ description: 'Presigned: PUT the file here, with exactly the headers below, before expiresAt' }),
    headers: z
      .object({
        'content-type': z.enum(documentTypes),
        'content-length': z
          .string()
          .regex(/^\d+$/)
          .meta({ description: 'The declared size; HTTP clients set it from the body' }),
        'x-amz-checksum-sha256': z
          .string()
          .meta({ description: 'Base64 of the declared SHA-256; S3 refuses a body with another digest' }),
      })
      .meta({ description: 'Signed into the URL: S3 refuses the upload if any differs' }),
    key: z.string(),
    expiresAt: z.iso.datetime(),
  })
  .meta({
    id: 'UploadTicket',
    description:
      'One file, once: the size, type and SHA-256 declared in the request. Once stored, the file is checked against them (type by its first bytes); a match marks the component digitised, anything else is deleted and the reason kept under uploadId.',
  });

export const documentsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.uuid().optional().meta({ description: 'The `cursor` of the previous page' }),
  })
  .strict();

const uploader = z
  .object({ kind: z.enum(['staff', 'portal']), id: z.string(), name: z.string() })
  .meta({ description: 'Who asked for the upload: a staff member (username) or a portal (its id)' });

export const documentView = z
  .object({
    id: z.uuid().meta({ description: 'The upload’s id (uploadId of its ticket)' }),
    kind: z.enum(documentKinds).meta({
      description: '`component` (a paper of the dossier), `result` (its electronic result) or `extra` (an extra page)',
    }),
    component: z.string().optional().meta({ description: 'Component code of the dossier, for a component' }),
    fileName: z.string(),
    state: z.enum(['awaiting', 'verified', 'rejected', 'reused']).meta({
      description:
        '`awaiting`: the URL is signed, no file checked yet; `verified`: the file is the declared one; `rejected`: deleted, see `reason`; `reused`: an earlier verified document of the same applicant, see `reusedFrom`',
    }),
    reusedFrom: z.object({ dossier: z.string(), document: z.uuid() }).optional().meta({
      description:
        'For a reused document: the earlier dossier and its document whose stored file (that version) this one is; no bytes were copied, and the name, type, size and SHA-256 are that file’s',
    }),
    reason: z
      .enum([
        'empty',
        'too_large',
        'size_mismatch',
        'checksum_mismatch',
        'unsupported_type',
        'type_mismatch',
        'malformed',
        'component_not_filed',
        'dossier_not_resolved',
        'ticket_used',
      ])
      .optional()
      .meta({ description: 'Why a rejected file was refused' }),
    reasonDetail: z.string().optional().meta({ description: 'The reason, in the caller’s language' }),
    defect: z
      .object({ code: z.string(), detail: z.string() })
      .optional()
      .meta({ description: 'Where a `malformed` file breaks: its code, and in the caller’s language' }),
    contentType: z.enum(documentTypes),
    sizeBytes: z.number().int().meta({ description: 'The declared size, which the URL accepts only' }),
    sha256: z.string().meta({ description: 'The declared SHA-256, lower-case hex' }),
    stored: z
      .object({ sizeBytes: z.number().int(), sha256: z.string().optional() })
      .optional()
      .meta({ description: 'What was measured of the object that used the URL (no SHA-256 when its size refused it)' }),
    uploadedBy: uploader,
    requestedAt: z.iso.datetime(),
    checkedAt: z.iso.datetime().optional(),
    expiresAt: z.iso.datetime().optional().meta({ description: 'While awaiting: when the URL stops accepting' }),
  })
  .meta({ id: 'Document' });

export const documentsView = z
  .object({
    code: z.string(),
    items: z.array(documentView),
    cursor: z.uuid().optional().meta({ description: 'Pass it back for the next page; absent on the last page' }),
  })
  .meta({ id: 'DocumentList' });

export const documentParams = z.object({
  code: z.string().min(1).max(64),
  id: z.uuid().meta({ description: 'The document’s id, as the documents list gives it' }),
});

export const documentDetailView = documentView
  .extend({
    download: z
      .object({
        url: z.url().meta({ description: 'Presigned GET of the verified file; the bucket itself is never public' }),
        expiresAt: z.iso.datetime(),
      })
      .optional()
      .meta({
        description: 'Only for a verified document: an awaiting one has no file yet, a rejected one was deleted',
      }),
  })
  .meta({ id: 'DocumentDetail' });
