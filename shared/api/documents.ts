import * as z from 'zod';
import { MAX_DOCUMENT_BYTES } from '../domain/documents.ts';
import { freeText } from './text.ts';

export const uploadParams = z.object({
  code: z.string().min(1).max(64),
  component: z.string().regex(/^[A-Z0-9_-]{1,20}$/).meta({ description: 'Component code of the dossier, e.g. TK' }),
});

export const uploadRequest = z
  .object({
    fileName: freeText({ max: 200 }),
    contentType: z.enum(['application/pdf', 'image/jpeg', 'image/png', 'image/tiff']),
    sizeBytes: z.number().int().positive().max(MAX_DOCUMENT_BYTES),
  })
  .strict()
  .meta({ id: 'UploadRequest' });

export const uploadTicket = z
  .object({
    method: z.literal('PUT'),
    url: z.url().meta({ description: 'Presigned: PUT the file here, with the headers below, before expiresAt' }),
    headers: z.record(z.string(), z.string()),
    key: z.string(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'UploadTicket', description: 'Once the file is stored it is checked (type by its first bytes, size, SHA-256) and the component marked digitised' });
