/**
 * What a digitised component may be: a scan (PDF, JPEG, PNG, TIFF) of at most 20 MiB, recognised by its
 * first bytes rather than by the name or Content-Type the uploader chose.
 */
export const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

const signatures: { contentType: string; bytes: number[] }[] = [
  { contentType: 'application/pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { contentType: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { contentType: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { contentType: 'image/tiff', bytes: [0x49, 0x49, 0x2a, 0x00] },
  { contentType: 'image/tiff', bytes: [0x4d, 0x4d, 0x00, 0x2a] },
];

export function sniffContentType(head: Uint8Array): string | undefined {
  return signatures.find((s) => s.bytes.every((b, i) => head[i] === b))?.contentType;
}

/** Uploads go to dossiers/<code>/components/<component code>/<file name>. */
export function parseDocumentKey(key: string): { code: string; componentCode: string } | undefined {
  const match = /^dossiers\/([^/]+)\/components\/([A-Z0-9_-]{1,20})\/[^/]+$/.exec(key);
  return match ? { code: match[1]!, componentCode: match[2]! } : undefined;
}

export type DocumentVerdict =
  | { ok: true; contentType: string }
  | { ok: false; reason: 'too_large' | 'unsupported_type' | 'empty' };

export function judgeDocument(sizeBytes: number, head: Uint8Array): DocumentVerdict {
  if (sizeBytes === 0) return { ok: false, reason: 'empty' };
  if (sizeBytes > MAX_DOCUMENT_BYTES) return { ok: false, reason: 'too_large' };
  const contentType = sniffContentType(head);
  return contentType ? { ok: true, contentType } : { ok: false, reason: 'unsupported_type' };
}
