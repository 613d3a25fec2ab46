import { ValidationFailed } from '../domain/errors.ts';
import { loadedSecret } from '../security/secrets.ts';
import { Sealer } from '../security/signed.ts';

let sealer: Sealer | undefined;
const cursors = () => (sealer ??= new Sealer(loadedSecret('signing'), 'cursor'));

/**
 * Worklist cursors: the index key to continue after, bound to the filters it was issued for, sealed so a
 * hand-made one is a 400 before DynamoDB ever sees it, and so no caller reads the key: a filtered page can end on
 * a dossier the filters left out (another portal's), whose code and dates the key holds.
 */
export function encodeCursor(key: Record<string, unknown>, fingerprint: string): string {
  return cursors().seal({ k: key, f: fingerprint });
}

export function decodeCursor(cursor: string, fingerprint: string): Record<string, string> {
  const decoded = cursors().open(cursor) as { k?: unknown; f?: unknown } | undefined;
  const key = decoded?.k;
  if (
    decoded?.f === fingerprint &&
    typeof key === 'object' &&
    key !== null &&
    Object.values(key).every((v) => typeof v === 'string')
  ) {
    return key as Record<string, string>;
  }
  throw new ValidationFailed([{ in: 'query', field: 'cursor', rule: 'cursor', message: 'cursor_invalid' }]);
}
