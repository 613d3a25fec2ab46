import { type WorkflowState, workflowStatePaths } from '../domain/workflow.ts';
import { loadedSecret } from '../security/secrets.ts';
import { Signer } from '../security/signed.ts';

let signer: Signer | undefined;
const etags = () => (signer ??= new Signer(loadedSecret('signing'), 'etag'));

/** The longest If-Match looked at; a real ETag is well under a kilobyte. */
const MAX_IF_MATCH = 4096;

/**
 * A dossier's ETag: its version and its workflow state, signed with the ward's signing key. An action is decided
 * on the state the ETag carries, with no read before the write, so the state must be exactly what the server
 * handed out: an edited, unsigned or foreign ETag is refused before its content is looked at.
 */
export function etagOf(state: WorkflowState): string {
  return `"${state.version}.${etags().seal(state)}"`;
}

/** The state an If-Match header carries for dossier `code`; undefined for anything the server did not sign for it. */
export function stateFromIfMatch(header: string, code: string): WorkflowState | undefined {
  if (header.length > MAX_IF_MATCH) return undefined;
  // Strong ETags only: RFC 9110 §13.1.1 compares If-Match strongly, and a weak one is never ours.
  const match = /^"(\d{1,9})\.([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)"$/.exec(header.trim());
  if (!match) return undefined;
  const state = etags().open(match[2]!);
  if (!isWorkflowState(state) || state.version !== Number(match[1]) || state.code !== code) return undefined;
  return state;
}

/** Signed by us, but perhaps by an older release with another shape: every field the write conditions on is there. */
function isWorkflowState(value: unknown): value is WorkflowState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Record<string, unknown>;
  return (
    typeof state.code === 'string' &&
    Number.isInteger(state.version) &&
    Object.keys(workflowStatePaths).every((field) => field in state)
  );
}
