import * as z from 'zod';

export interface FreeTextOptions {
  min?: number;
  max: number;
  /** Notes and reasons keep their line breaks (stored as \n); every other field is one line. */
  multiline?: boolean;
}

// C0 and C1 control characters (Unicode category Cc) but the line breaks, which have a rule of their own.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this rule's job.
const NO_CONTROL = /^[^\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/;
// Bidirectional overrides, zero-width characters, soft hyphens… (category Cf): they make two texts look alike.
const NO_FORMAT = /^\P{Cf}*$/u;
// JSON can carry half of a surrogate pair ("\ud800"); it is no character at all, and no store or font takes it.
const NO_LONE_SURROGATE = /^\P{Cs}*$/u;
const NO_LINE_BREAK = /^[^\n\r\u2028\u2029]*$/;

/**
 * The one rule for free text a client sends: stored in Unicode NFC (so a name typed in NFD is the same name),
 * trimmed, its length counted after both, and refused (400, naming the field and the rule) when it carries
 * a control character, a format character or an unpaired surrogate; only notes and reasons keep line breaks.
 * Built from zod string checks, which run in order, so the OpenAPI document shows the lengths and patterns.
 */
export function freeText({ min = 1, max, multiline = false }: FreeTextOptions) {
  const normalized = z.string().normalize('NFC');
  const text = (multiline ? normalized.overwrite((s) => s.replace(/\r\n?|[\u2028\u2029]/g, '\n')) : normalized)
    .trim()
    .min(min)
    .max(max)
    .regex(NO_CONTROL, 'text_control_character')
    .regex(NO_FORMAT, 'text_format_character')
    .regex(NO_LONE_SURROGATE, 'text_unpaired_surrogate');
  return multiline ? text : text.regex(NO_LINE_BREAK, 'text_line_break');
}
