import type { Procedure } from './catalog.ts';
import { type StructureDefect, structureDefect } from './document-structure.ts';
import type { Actor, Dossier, DossierStatus } from './dossier.ts';
import { type Assignment, holdsAssignment, isAssigned, type StaffDirectory } from './staff.ts';

/**
 * What a digitised component may be: a scan (PDF, JPEG, PNG, TIFF) of at most 20 MiB, recognised by its
 * first bytes rather than by the name or Content-Type the uploader chose, and then read whole as that type.
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

const UPLOAD_ID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const DOCUMENT_KEY = new RegExp(
  `^dossiers/([^/]+)/(?:components/([A-Z0-9_-]{1,20})|(results)|(extras))/(${UPLOAD_ID})-[^/]+$`,
);

/**
 * What a file of a dossier is: `component`, one of its papers; `result`, the result the ward issues (its
 * electronic copy, kết quả điện tử); `extra`, a page the dossier does not list (one a specialist scans in review).
 */
export const documentKinds = ['component', 'result', 'extra'] as const;
export type DocumentKind = (typeof documentKinds)[number];

/** What an upload is for: a component names its code. */
export type DocumentTarget = { kind: 'component'; componentCode: string } | { kind: 'result' } | { kind: 'extra' };

const safeFileName = (fileName: string) =>
  fileName
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\w.-]+/g, '_')
    .slice(-100);

/**
 * Uploads go to dossiers/<code>/components/<component code>/<upload id>-<file name>. The name is kept for
 * people; the key stays safe whatever the file was called.
 */
export function documentKey(code: string, componentCode: string, uploadId: string, fileName: string): string {
  return `dossiers/${code}/components/${componentCode}/${uploadId}-${safeFileName(fileName)}`;
}

/** Results go to dossiers/<code>/results/<upload id>-<file name>, extra pages to dossiers/<code>/extras/…. */
export function targetKey(code: string, target: DocumentTarget, uploadId: string, fileName: string): string {
  if (target.kind === 'component') return documentKey(code, target.componentCode, uploadId, fileName);
  return `dossiers/${code}/${target.kind === 'result' ? 'results' : 'extras'}/${uploadId}-${safeFileName(fileName)}`;
}

export function parseDocumentKey(
  key: string,
): { code: string; kind: DocumentKind; componentCode?: string; uploadId: string } | undefined {
  const match = DOCUMENT_KEY.exec(key);
  if (!match) return undefined;
  const kind: DocumentKind = match[2] ? 'component' : match[3] ? 'result' : 'extra';
  return { code: match[1]!, kind, ...(match[2] ? { componentCode: match[2] } : {}), uploadId: match[5]! };
}

/** What the uploader declared when it asked for the URL, as stored with the upload: the file must be exactly this. */
export interface ExpectedDocument {
  contentType: string;
  sizeBytes: number;
  /** Lower-case hex. */
  sha256: string;
}

/** What was stored: its size, its bytes and their SHA-256. */
export interface StoredDocument {
  sizeBytes: number;
  bytes: Uint8Array;
  sha256: string;
}

export type RejectionReason =
  /** The bytes: */
  | 'empty'
  | 'too_large'
  | 'size_mismatch'
  | 'checksum_mismatch'
  | 'unsupported_type'
  | 'type_mismatch'
  /** It starts like its type but is not one (`defect` says where it breaks). */
  | 'malformed'
  /** The dossier no longer lists the component (a supplement changed the list), nor awaits it in a supplement. */
  | 'component_not_filed'
  /** A result whose dossier left `resolved` (returned, say) before its file was checked. */
  | 'dossier_not_resolved'
  /** A later upload through a URL whose one upload was already checked. */
  | 'ticket_used';

export type Rejection = { ok: false; reason: RejectionReason; defect?: StructureDefect };
export type DocumentVerdict = { ok: true; contentType: string } | Rejection;

/** The size alone refuses most wrong files, before a byte is read. */
export function judgeSize(expected: ExpectedDocument, sizeBytes: number): Rejection | undefined {
  if (sizeBytes === 0) return { ok: false, reason: 'empty' };
  if (sizeBytes > MAX_DOCUMENT_BYTES) return { ok: false, reason: 'too_large' };
  if (sizeBytes !== expected.sizeBytes) return { ok: false, reason: 'size_mismatch' };
  return undefined;
}

/**
 * A stored file is verified when it is exactly the declared one: its size, its SHA-256, its type by its first bytes
 * and all of it the structure that type names.
 */
export function judgeDocument(expected: ExpectedDocument, stored: StoredDocument): DocumentVerdict {
  const bySize = judgeSize(expected, stored.sizeBytes);
  if (bySize) return bySize;
  if (stored.sha256 !== expected.sha256) return { ok: false, reason: 'checksum_mismatch' };
  const contentType = sniffContentType(stored.bytes);
  if (!contentType) return { ok: false, reason: 'unsupported_type' };
  if (contentType !== expected.contentType) return { ok: false, reason: 'type_mismatch' };
  const defect = structureDefect(contentType, stored.bytes);
  if (defect) return { ok: false, reason: 'malformed', defect };
  return { ok: true, contentType };
}

/** One version of a stored object, as its S3 event names it: the version where the bucket keeps versions. */
export interface ObjectVersion {
  versionId?: string | undefined;
  /** Orders the events of one key; with versionId absent it tells two uploads to the same key apart. */
  sequencer: string;
}

/** Whether two events are about the same stored object (S3 may announce one object twice). */
export function sameObject(a: ObjectVersion, b: ObjectVersion): boolean {
  return a.versionId !== undefined || b.versionId !== undefined
    ? a.versionId === b.versionId
    : a.sequencer === b.sequencer;
}

/**
 * Whether the caller may add a document to a dossier (the portal's own dossiers are checked before): an officer,
 * who digitises at the counter; a specialist while the dossier is not assigned, or once it is, only as its holder,
 * as with the handling actions: a document verified later replaces the component's, so another specialist must
 * not be able to put one there.
 */
export function mayAddDocuments(assignment: Assignment, actors: readonly Actor[], staff: StaffDirectory): boolean {
  return actors.some(
    (a) =>
      a.kind !== 'staff' ||
      a.role !== 'specialist' ||
      !isAssigned(assignment) ||
      holdsAssignment(a.username, a.role, assignment, staff),
  );
}

/** Who asked for the URL: the actor, without the role (a staff member may hold several). */
export type UploadRequester = { kind: Actor['kind']; id: string; name: string };

/**
 * One upload URL and what became of it. Signing stores it `awaiting` with what the file must be; the first object
 * stored through the URL uses it up, `verified` or `rejected` with the reason; a later one only sets `lateUpload`.
 * A reuse is stored `reused` at once, with the source's key, version and measures: no URL, no bytes of its own.
 */
export interface Upload {
  code: string;
  uploadId: string;
  /** Absent on a component's upload (as on those stored before results and extra pages were taken). */
  kind?: Exclude<DocumentKind, 'component'>;
  /** The component's code, for a component's upload only. */
  componentCode?: string;
  key: string;
  fileName: string;
  expected: ExpectedDocument;
  requestedBy: UploadRequester;
  requestedAt: string;
  state: 'awaiting' | 'verified' | 'rejected' | 'reused';
  /** For a reuse: the earlier dossier's document whose object (`key`, `object.versionId`) this one is. */
  reusedFrom?: { code: string; uploadId: string };
  /** Epoch seconds: the URL's expiry, and the item's TTL while it waits; removed once the upload is checked. */
  expiresAt?: number;
  checkedAt?: string;
  /** The object that used the URL, with what was measured of it (no SHA-256 when its size already refused it). */
  object?: ObjectVersion & { sizeBytes: number; sha256?: string };
  /** Sniffed from the bytes, once verified. */
  contentType?: string;
  reason?: RejectionReason;
  /** Where a `malformed` file breaks. */
  defect?: StructureDefect;
  /** The last object that came through the URL after it was used: refused and deleted. */
  lateUpload?: { at: string; reason: 'ticket_used' };
}

/** What an upload is for, as its record says. */
export function targetOf(upload: Pick<Upload, 'kind' | 'componentCode'>): DocumentTarget {
  return upload.kind ? { kind: upload.kind } : { kind: 'component', componentCode: upload.componentCode ?? '' };
}

/**
 * The statuses in which a dossier takes its result: `resolved` only. The e-result is the signed result
 * (DOMAIN.md's glossary), and only the leader's approval (pending_approval → resolved) signs it: before that there
 * is a draft, not a result; after `returned` it has been handed over, and an online return needs it already.
 */
export const RESULT_STATUSES = ['resolved'] as const satisfies readonly DossierStatus[];

/** Whether the procedure's result form (catalog `resultForm`) has an electronic result at all. */
export function allowsElectronicResult(resultForm: Procedure['resultForm'] | undefined): boolean {
  return resultForm === 'electronic' || resultForm === 'both';
}

/**
 * Whether the caller may upload a dossier's result or an extra page: staff handling the dossier only, as for
 * components (an officer; a specialist while it is unassigned, or its holder once it is), never a portal: a result
 * is the ward's own paper, and what a citizen adds the dossier does not list comes through a supplement.
 */
export function mayAddOfficePapers(assignment: Assignment, actors: readonly Actor[], staff: StaffDirectory): boolean {
  return mayAddDocuments(
    assignment,
    actors.filter((a) => a.kind === 'staff'),
    staff,
  );
}

/**
 * The component a supplement asks for that the dossier does not list yet: while the dossier awaits the supplement
 * that names it, its file is taken and the component joins the dossier (not mandatory); otherwise undefined.
 */
export function awaitedComponent(
  dossier: Pick<Dossier, 'status' | 'supplement' | 'components'>,
  componentCode: string,
): { code: string; name: string } | undefined {
  if (dossier.status !== 'awaiting_supplement') return undefined;
  if (dossier.components.some((c) => c.code === componentCode)) return undefined;
  return dossier.supplement?.components?.find((c) => c.code === componentCode);
}
/**
 * Whether an earlier document may stand for a component of `target` (reuse, tái sử dụng): a verified file (not one
 * awaiting, rejected or itself a reuse) of another dossier of the same applicant, by ID number. Whoever may not see
 * the source dossier is refused before this; every refusal is answered as a document that does not exist.
 */
export function isReusable(
  target: Pick<Dossier, 'code' | 'applicant'>,
  source: Pick<Dossier, 'code' | 'applicant'> | undefined,
  document: Upload | undefined,
): document is Upload & { object: NonNullable<Upload['object']> } {
  return (
    source !== undefined &&
    document !== undefined &&
    source.code !== target.code &&
    document.code === source.code &&
    source.applicant.idNumber === target.applicant.idNumber &&
    document.state === 'verified' &&
    document.object !== undefined
  );
}
