/**
 * Masks citizen ID numbers and phone numbers wherever they would reach a log line: by field name, and by
 * shape inside any string (a 12-digit number, a Vietnamese mobile or landline number).
 */
const PERSONAL_KEYS = /^(idNumber|citizenId|phone|phoneNumber|email|pin)$/i;
const CITIZEN_ID = /(?<!\d)\d{12}(?!\d)/g;
const PHONE = /(?<![\d.])(?:\+84|0)(?:[\s.-]?\d){9,10}(?!\d)/g;

export function redactString(text: string): string {
  return text.replace(CITIZEN_ID, '[redacted-id]').replace(PHONE, '[redacted-phone]');
}

/** A JSON.stringify replacer (Powertools' jsonReplacerFn). */
export function redactReplacer(key: string, value: unknown): unknown {
  if (PERSONAL_KEYS.test(key) && value !== undefined && value !== null) return '[redacted]';
  if (typeof value === 'string') return redactString(value);
  return value;
}
