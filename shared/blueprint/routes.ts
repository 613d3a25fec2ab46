/**
 * The blueprint, part two: the HTTP routes, each with its function, its access rule and its zod schemas. The CDK
 * stack adds them to the HTTP API, the local gateway serves them, the HTTP stack validates requests with them and the
 * OpenAPI document is generated from them.
 */
import { type Access, PUBLIC } from '../http/auth.ts';

import type { FunctionName } from './resources.ts';
import type { RouteSpec } from './types.ts';

// The modules of schemas, each loaded on first use (see LazySchema): a bundle evaluates only those its routes need.
const api = {
  actions: () => import('../api/actions.ts'),
  alerts: () => import('../api/alerts.ts'),
  catalog: () => import('../api/catalog.ts'),
  citizens: () => import('../api/citizens.ts'),
  common: () => import('../api/common.ts'),
  deadlines: () => import('../api/deadlines.ts'),
  deliveries: () => import('../api/deliveries.ts'),
  documents: () => import('../api/documents.ts'),
  dossierRequests: () => import('../api/dossier-requests.ts'),
  dossiers: () => import('../api/dossiers.ts'),
  health: () => import('../api/health.ts'),
  intake: () => import('../api/intake.ts'),
  reports: () => import('../api/reports.ts'),
};

/** A schema of one of those modules, by name, as a route's LazySchema. */
function schema<M, K extends keyof M>(module: () => Promise<M>, name: K): () => Promise<M[K]> {
  return () => module().then((loaded) => loaded[name]);
}

/** A problem+json answer of a route, as the OpenAPI document describes it. */
const problem = (description: string) => ({ description, schema: schema(api.common, 'problemSchema') });

const STAFF_OR_PORTAL_READ: Access = { roles: ['officer', 'specialist', 'leader'], scopes: ['dossiers.read'] };

function route<const R extends RouteSpec<FunctionName>>(spec: R): R {
  return spec;
}

export const routes = {
  'GET /health': route({
    function: 'health',
    access: PUBLIC,
    tag: 'Hệ thống',
    summary: 'Health of the ward instance: whether its table answers',
    description:
      'The function reads one item of the table, with a short timeout. `checks` names each dependency probed.',
    responses: {
      200: {
        description: 'The instance and its table answer',
        schema: schema(api.health, 'healthSchema'),
        headers: { 'Cache-Control': 'no-store' },
      },
      503: {
        ...problem(
          'The table did not answer in time: the problem names the ward and carries `checks` with `table: "failing"`',
        ),
        headers: { 'Retry-After': 'Seconds to wait before asking again' },
      },
    },
  }),
  'GET /openapi.json': route({
    function: 'openapi',
    access: PUBLIC,
    tag: 'Hệ thống',
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1 document' } },
  }),
  'GET /procedures': route({
    function: 'catalog',
    access: PUBLIC,
    tag: 'Thủ tục',
    summary: 'The procedure catalog, by field and online level',
    query: schema(api.catalog, 'catalogQuery'),
    responses: {
      200: { description: 'Procedures and their fields', schema: schema(api.catalog, 'catalogView') },
      400: problem('A filter is not valid'),
    },
  }),
  'GET /procedures/{code}': route({
    function: 'catalog',
    access: PUBLIC,
    tag: 'Thủ tục',
    summary: 'One procedure: time, fee, online level, components',
    params: schema(api.catalog, 'procedureParams'),
    responses: {
      200: { description: 'The procedure', schema: schema(api.catalog, 'procedureView') },
      400: problem('Not a procedure code'),
      404: problem('No such procedure'),
    },
  }),
  'POST /dossiers': route({
    function: 'dossier-intake',
    access: { roles: ['officer'], scopes: ['dossiers.submit'] },
    tag: 'Hồ sơ',
    summary: 'File a dossier (online from a portal, in person or by post at the counter)',
    description:
      'A portal files `online` dossiers, which wait as `submitted` for the one-stop officer; an officer files `in_person` or `postal` ones, received at once with their due date. The answer is the receipt (form 01) with the lookup PIN, shown only here.',
    headers: schema(api.dossierRequests, 'intakeHeaders'),
    body: schema(api.intake, 'intakeSchema'),
    responses: {
      201: {
        description: 'Filed; the receipt',
        schema: schema(api.dossiers, 'receiptView'),
        headers: { Location: 'The dossier', ETag: 'Its version, for If-Match' },
      },
      400: problem('A field is not valid (each named, with its rule)'),
      415: problem('The body is not JSON'),
      422: problem(
        'Mandatory components are missing (listed), a payment breaks a rule of the fee (named), or the Idempotency-Key was used for another body',
      ),
    },
  }),
  'GET /dossiers': route({
    function: 'dossier-read',
    access: STAFF_OR_PORTAL_READ,
    tag: 'Hồ sơ',
    summary: 'Worklist: filter by status, field, assignee, channel, due date; newest or soonest due first',
    description: 'A portal sees only the dossiers it filed.',
    query: schema(api.dossierRequests, 'worklistQuery'),
    responses: {
      200: { description: 'A page of dossiers', schema: schema(api.dossiers, 'worklistView') },
      400: problem('A filter or the cursor is not valid'),
    },
  }),
  'GET /dossiers/{code}': route({
    function: 'dossier-read',
    access: STAFF_OR_PORTAL_READ,
    tag: 'Hồ sơ',
    summary: 'A dossier, with what the caller may do next',
    params: schema(api.dossierRequests, 'dossierCodeParams'),
    responses: {
      200: {
        description: 'The dossier',
        schema: schema(api.dossiers, 'dossierView'),
        headers: { ETag: 'Send it back in If-Match with an action' },
      },
      404: problem('No such dossier (or not one this portal filed)'),
    },
  }),
  'GET /dossiers/{code}/history': route({
    function: 'dossier-read',
    access: STAFF_OR_PORTAL_READ,
    tag: 'Hồ sơ',
    summary: 'The control slip (form 06): every hand-over and decision',
    params: schema(api.dossierRequests, 'dossierCodeParams'),
    responses: {
      200: { description: 'The control slip', schema: schema(api.dossiers, 'historyView') },
      404: problem('No such dossier'),
    },
  }),
  'POST /dossiers/{code}/actions': route({
    function: 'dossier-actions',
    access: { roles: ['officer', 'specialist', 'leader'], scopes: ['dossiers.submit'] },
    tag: 'Hồ sơ',
    summary: 'Take a workflow action: accept, refuse, assign, transfer, request_supplement, … apologize',
    description:
      'Send the ETag you read in If-Match. Each action is allowed from some statuses to some roles; a portal may record a payment, hand in a supplement or withdraw for its own dossiers.',
    params: schema(api.dossierRequests, 'dossierCodeParams'),
    headers: schema(api.dossierRequests, 'actionHeaders'),
    body: schema(api.actions, 'actionSchema'),
    responses: {
      200: {
        description: 'Done; the new state and the control-slip row',
        schema: schema(api.dossiers, 'actionResultView'),
        headers: { ETag: 'The new version' },
      },
      400: problem('A field is not valid'),
      403: problem(
        'The role may never take this action (or not in this status), or the dossier is assigned to someone else',
      ),
      404: problem('No such dossier'),
      409: problem('Not allowed in the current status; names the status and the actions allowed now'),
      412: problem('The dossier changed since the ETag was read; carries the current version'),
      422: problem(
        'Incomplete dossier; assignee or department not in the staff directory; a payment that is not the fee, online without its transaction, an exemption without its legal basis (each naming the field and rule); payment already recorded; apology after the day before the due date or already issued',
      ),
      428: problem('If-Match is missing'),
    },
  }),
  'POST /dossiers/{code}/documents': route({
    function: 'document-upload',
    access: { roles: ['officer', 'specialist'], scopes: ['dossiers.submit'] },
    tag: 'Hồ sơ',
    summary: 'Ask to upload a document of a dossier: a presigned PUT of exactly the declared file (số hóa)',
    description:
      'The SHA-256 is given in hexadecimal (64 characters); the answer carries it in base64 as S3 expects it. The URL takes one file, exactly the declared type, size and checksum, for 15 minutes, under the dossier’s prefix. A portal may upload components of the dossiers it filed; once a dossier is assigned, a specialist only for one it holds. A result (`kind: result`) comes from staff handling the dossier once it is resolved, where the procedure’s result form allows an electronic one; verified, it is the dossier’s e-result. An extra page (`kind: extra`) comes from staff handling the dossier. A component the dossier does not list is taken only while it awaits a supplement whose request named it. It is checked after upload: see `GET /dossiers/{code}/documents`.',
    params: schema(api.dossierRequests, 'dossierCodeParams'),
    body: schema(api.documents, 'documentRequest'),
    responses: {
      201: { description: 'Where and how to PUT the file', schema: schema(api.documents, 'uploadTicket') },
      400: problem('A field is not valid'),
      403: problem('A specialist, for a dossier assigned to someone else; a portal, for a result or an extra page'),
      404: problem('No such dossier (or not one this portal filed)'),
      409: problem('The dossier is finished: no more documents; a result before the dossier is resolved'),
      422: problem(
        'The dossier has no such component and no supplement asks for it (the field `component` named); a result where the procedure issues its result on paper only (the field `kind` named)',
      ),
    },
  }),
  'POST /dossiers/{code}/components/{component}/upload-url': route({
    function: 'document-upload',
    access: { roles: ['officer', 'specialist'], scopes: ['dossiers.submit'] },
    tag: 'Hồ sơ',
    summary: 'Get a URL to upload the scan or file of one component (số hóa)',
    description:
      'A portal may upload for the dossiers it filed; once a dossier is assigned, a specialist only for one it holds. The URL takes one file, exactly the declared one. It is checked after upload: a match marks the component digitised; anything else is deleted, and the reason kept in the upload’s own record (uploadId), not on the dossier.',
    params: schema(api.documents, 'uploadParams'),
    body: schema(api.documents, 'uploadRequest'),
    responses: {
      201: { description: 'Where and how to PUT the file', schema: schema(api.documents, 'uploadTicket') },
      400: problem('A field is not valid'),
      403: problem('A specialist, for a dossier assigned to someone else'),
      404: problem('No such dossier (or not one this portal filed)'),
      409: problem('The dossier is finished: no more documents'),
      422: problem('The dossier has no such component'),
    },
  }),
  'GET /dossiers/{code}/documents': route({
    function: 'document-upload',
    access: STAFF_OR_PORTAL_READ,
    tag: 'Hồ sơ',
    summary: 'The documents of a dossier: every upload with its state, type, size, SHA-256, uploader and dates',
    description:
      'One item per upload URL signed: `awaiting` its file, `verified`, or `rejected` with the reason (the file deleted). A portal sees only the dossiers it filed.',
    params: schema(api.dossierRequests, 'dossierCodeParams'),
    query: schema(api.documents, 'documentsQuery'),
    responses: {
      200: { description: 'A page of documents', schema: schema(api.documents, 'documentsView') },
      400: problem('The limit or the cursor is not valid'),
      404: problem('No such dossier (or not one this portal filed)'),
    },
  }),
  'GET /dossiers/{code}/documents/{id}': route({
    function: 'document-upload',
    access: STAFF_OR_PORTAL_READ,
    tag: 'Hồ sơ',
    summary: 'One document of a dossier, with a short-lived download URL once verified',
    description: 'The download URL is valid for 5 minutes. A portal sees only the dossiers it filed.',
    params: schema(api.documents, 'documentParams'),
    responses: {
      200: { description: 'The document', schema: schema(api.documents, 'documentDetailView') },
      400: problem('The id is not a document id'),
      404: problem('No such dossier (or not one this portal filed), or no such document in it'),
    },
  }),
  'POST /dossiers/{code}/documents/reuse': route({
    function: 'document-upload',
    access: { roles: ['officer', 'specialist'], scopes: ['dossiers.submit'] },
    tag: 'Hồ sơ',
    summary: 'Reuse an earlier verified document of the same applicant as a component (tái sử dụng)',
    description:
      'Points the component at an earlier dossier’s verified document of the same applicant (same ID number) instead of asking for the paper again: no bytes are copied, the new document (state `reused`) names the source’s stored file and version, and a reused mandatory component counts as digitised. The caller must be allowed to add documents to this dossier (as for an upload) and to see the source dossier (a portal only the dossiers it filed), since whoever reads this dossier can then download the source’s file. A source that is not there, not verified, of another applicant, or not visible to the caller is answered exactly as a document that does not exist.',
    params: schema(api.dossierRequests, 'dossierCodeParams'),
    body: schema(api.documents, 'reuseRequest'),
    responses: {
      201: {
        description: 'The reused document, as the documents list shows it',
        schema: schema(api.documents, 'documentView'),
      },
      400: problem('A field is not valid'),
      403: problem('A specialist, for a dossier assigned to someone else'),
      404: problem('No such dossier (or not one this portal filed), or no such source document (see above)'),
      409: problem('The dossier is finished: no more documents'),
      422: problem('The dossier has no such component (the field `component` named)'),
      503: {
        ...problem('The dossier kept changing while the reuse was written: send it again'),
        headers: { 'Retry-After': 'Seconds to wait before asking again' },
      },
    },
  }),
  'GET /alerts': route({
    function: 'alerts',
    access: { roles: ['officer', 'specialist', 'leader'] },
    tag: 'Hồ sơ',
    summary: 'Deadline alerts for the caller’s roles: dossiers due within 24 hours and overdue ones, newest first',
    query: schema(api.alerts, 'alertsQuery'),
    responses: {
      200: { description: 'The alerts', schema: schema(api.alerts, 'alertsView') },
      400: problem('The limit is not valid'),
    },
  }),
  'GET /deadlines': route({
    function: 'alerts',
    access: { roles: ['officer', 'leader'] },
    tag: 'Hồ sơ',
    summary: 'The deadlines digest now: dossiers overdue, due today and due soon, counted and listed by department',
    description:
      'What the 7:00 e-mail to the ward’s leaders says, on demand: every dossier whose clock runs and is overdue, due by the end of the ward’s day, or due within the ward’s due-soon window after it, each counted once.',
    query: schema(api.deadlines, 'deadlinesQuery'),
    responses: {
      200: { description: 'The digest', schema: schema(api.deadlines, 'deadlinesView') },
      400: problem('No parameters are taken'),
    },
  }),
  'GET /reports': route({
    function: 'reports',
    access: { roles: ['officer', 'leader'] },
    tag: 'Báo cáo',
    summary: 'The figures of a period for the ward, a field or a procedure, optionally a row per group',
    description:
      'Carried over, received by channel, refused at intake, online share and rates, resolved early / on time / late and the on-time rate, in progress within the deadline and overdue at the period’s end, other outcomes, apologies, digitisation rate, fees and online payment, satisfaction and feedback. Each event counts on the day it happened in the ward’s time zone. The period is `from`/`to` or `period` (2025, 2025-Q3, 2025-09); `groupBy` adds a row per field, procedure, channel or department.',
    query: schema(api.reports, 'reportQuery'),
    responses: {
      200: {
        description:
          'The figures: JSON by default; with `Accept: text/csv` a CSV for a spreadsheet (UTF-8 with a byte order mark, Vietnamese headings, one record per figure and per month); with `Accept: text/html` a printable A4 page in Vietnamese with the figures and a monthly chart',
        schema: schema(api.reports, 'reportView'),
        formats: ['text/csv', 'text/html'],
      },
      400: problem('The period or scope is not valid'),
      406: problem('The Accept header allows none of JSON, CSV and HTML'),
    },
  }),
  // The one-stop officer answers for what the portals show of the dossiers they received and returned, so it is
  // the officer who sees and resends deliveries: a resend changes no dossier, and the portal drops a copy by its id.
  'GET /deliveries': route({
    function: 'deliveries',
    access: { roles: ['officer'] },
    tag: 'Cổng',
    summary: 'Status changes still to be delivered to portals (pending) or given up on (failed), oldest first',
    description:
      'A pending delivery is tried with growing waits (up to an hour) until the ward’s horizon (`portalSync.retryHorizonHours`, 3 days by default) after it became its dossier’s next; then it is failed, an alarm fires, and it waits here. Later changes of its dossier wait behind it, pending, with no `nextAttemptAt`.',
    query: schema(api.deliveries, 'deliveriesQuery'),
    responses: {
      200: { description: 'A page of deliveries', schema: schema(api.deliveries, 'deliveriesView') },
      400: problem('A filter or the cursor is not valid'),
    },
  }),
  'POST /deliveries/{id}/retry': route({
    function: 'deliveries',
    access: { roles: ['officer'] },
    tag: 'Cổng',
    summary: 'Send a failed delivery again: due at once, with a new horizon',
    params: schema(api.deliveries, 'deliveryParams'),
    responses: {
      200: { description: 'Made due again', schema: schema(api.deliveries, 'retryView') },
      400: problem('Not a delivery id'),
      404: problem('No such delivery'),
      409: problem('The delivery has not failed (it is pending or delivered)'),
    },
  }),
  'POST /portals/{portal}/deliveries/retry': route({
    function: 'deliveries',
    access: { roles: ['officer'] },
    tag: 'Cổng',
    summary: 'Send again every failed delivery to one portal (after it has been repaired)',
    params: schema(api.deliveries, 'portalRetryParams'),
    responses: {
      200: { description: 'How many were made due again', schema: schema(api.deliveries, 'retryView') },
      400: problem('Not a portal id'),
      404: problem('No such portal taking status changes'),
    },
  }),
  'GET /public/dossiers/{code}': route({
    function: 'public-lookup',
    access: PUBLIC,
    tag: 'Tra cứu',
    summary: 'Status of a dossier for the citizen, with the PIN of the receipt',
    description:
      'Nothing personal is returned. An unknown code and a wrong PIN get the same answer. At most five attempts per code in 15 minutes, counted for unknown codes too; a right PIN gives its attempt back.',
    params: schema(api.dossierRequests, 'dossierCodeParams'),
    query: schema(api.dossierRequests, 'publicLookupQuery'),
    responses: {
      200: { description: 'The status', schema: schema(api.dossiers, 'publicStatusView') },
      400: problem('The PIN is not 8 digits'),
      404: problem('No dossier with this code and PIN'),
      429: problem('Five wrong PINs for this code within 15 minutes (known or not): wait for Retry-After'),
    },
    // Citizens look up a dossier now and then; a script guessing PINs across codes is held here first.
    throttle: { ratePerSecond: 10, burst: 20 },
  }),
  // Ratings and feedback (PAKN), issue 12.
  'POST /public/dossiers/{code}/rating': route({
    function: 'public-lookup',
    access: PUBLIC,
    tag: 'Tra cứu',
    summary: 'Rate a returned dossier, once, with the PIN of its receipt (mức độ hài lòng)',
    description:
      'Once the result was handed over. A filing portal relays its citizen’s rating here with the receipt’s PIN. Unknown code and wrong PIN answer alike, under the lookup’s limit.',
    params: schema(api.dossierRequests, 'dossierCodeParams'),
    body: schema(api.citizens, 'ratingRequest'),
    responses: {
      201: { description: 'Recorded', schema: schema(api.citizens, 'ratingView') },
      400: problem('A field is not valid'),
      404: problem('No dossier with this code and PIN'),
      409: problem('The dossier was already rated, or its result was not handed over yet'),
      415: problem('The body is not JSON'),
      429: problem('Five wrong PINs for this code within 15 minutes (known or not): wait for Retry-After'),
    },
    throttle: { ratePerSecond: 10, burst: 20 },
  }),
  'POST /public/feedback': route({
    function: 'public-feedback',
    access: PUBLIC,
    tag: 'Phản ánh, kiến nghị',
    summary: 'Send the ward feedback (phản ánh, kiến nghị) without an account',
    description:
      'The answer carries the code and a PIN, shown only here. Limited per source address an hour and per ward a day.',
    body: schema(api.citizens, 'feedbackRequest'),
    responses: {
      201: { description: 'Received; the code and PIN', schema: schema(api.citizens, 'feedbackReceiptView') },
      400: problem('A field is not valid (each named, with its rule)'),
      415: problem('The body is not JSON'),
      429: problem('Too many filings: wait for Retry-After'),
    },
    throttle: { ratePerSecond: 2, burst: 5 },
  }),
  'GET /public/feedback/{code}': route({
    function: 'public-feedback',
    access: PUBLIC,
    tag: 'Phản ánh, kiến nghị',
    summary: 'Progress of a feedback item for its sender, with its code and PIN',
    description: 'Never the contact. Unknown code and wrong PIN answer alike, five attempts per code in 15 minutes.',
    params: schema(api.citizens, 'feedbackCodeParams'),
    query: schema(api.citizens, 'publicFeedbackQuery'),
    responses: {
      200: { description: 'The progress', schema: schema(api.citizens, 'publicFeedbackView') },
      400: problem('The PIN is not 8 digits'),
      404: problem('No feedback with this code and PIN'),
      429: problem('Locked for this code: wait for Retry-After'),
    },
    throttle: { ratePerSecond: 10, burst: 20 },
  }),
  'GET /feedback': route({
    function: 'feedback',
    access: { roles: ['officer', 'specialist', 'leader'] },
    tag: 'Phản ánh, kiến nghị',
    summary: 'Feedback received, newest first, of one status or all',
    query: schema(api.citizens, 'feedbackListQuery'),
    responses: {
      200: { description: 'A page of feedback', schema: schema(api.citizens, 'feedbackListView') },
      400: problem('A filter or the cursor is not valid'),
    },
  }),
  'GET /feedback/{code}': route({
    function: 'feedback',
    access: { roles: ['officer', 'specialist', 'leader'] },
    tag: 'Phản ánh, kiến nghị',
    summary: 'A feedback item with its history and what the caller may do next',
    params: schema(api.citizens, 'feedbackCodeParams'),
    responses: {
      200: { description: 'The feedback', schema: schema(api.citizens, 'feedbackView') },
      404: problem('No such feedback'),
    },
  }),
  'POST /feedback/{code}/actions': route({
    function: 'feedback',
    access: { roles: ['officer', 'specialist', 'leader'] },
    tag: 'Phản ánh, kiến nghị',
    summary:
      'Take a step on a feedback item: accept, refuse, request_information, information_received, resolve, publish',
    description:
      'Each step is a row of the history. The deadline runs in working days from filing (ward setting; Decree 20/2008/NĐ-CP as amended) and pauses while the ward waits for information.',
    params: schema(api.citizens, 'feedbackCodeParams'),
    body: schema(api.citizens, 'feedbackActionRequest'),
    responses: {
      200: { description: 'Done; the feedback as it is now', schema: schema(api.citizens, 'feedbackView') },
      400: problem('A field is not valid'),
      403: problem('The role may not take this step'),
      404: problem('No such feedback'),
      409: problem('Not allowed in the current status, or changed meanwhile'),
      415: problem('The body is not JSON'),
    },
  }),
} as const;

export type RouteKey = keyof typeof routes;

export const commonProblems = {
  401: { description: 'No Authorization header (API Gateway answers this before anything runs)' },
  403: problem(
    'The token is refused (signature, issuer, audience, lifetime) or lacks the route’s scope: API Gateway answers `{"message":"Forbidden"}`; or the caller’s role does not allow this route: problem+json',
  ),
  500: problem('Unexpected error; the body carries only a correlation id'),
  503: {
    ...problem(
      'Busy, or out of time before the function’s timeout (say, a filing whose first request with the same Idempotency-Key is still at work): send it again after Retry-After, a filing with the same key',
    ),
    headers: { 'Retry-After': 'Seconds to wait before sending it again' },
  },
} as const;
