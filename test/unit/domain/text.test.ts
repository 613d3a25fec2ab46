import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freeText } from '../../../shared/api/text.ts';

const line = freeText({ max: 500 });
const note = freeText({ max: 500, multiline: true });
/** Any UTF-16 text, lone surrogates and controls included, as JSON can carry it. */
const anyText = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 })
  .map((units) => String.fromCharCode(...units));
// biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for exactly these characters.
const controlOrFormat = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\p{Cf}\p{Cs}]/u;

describe('free text', () => {
  it('keeps only NFC text without control, format or unpaired surrogate characters, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyText, fc.string({ unit: 'grapheme', maxLength: 40 })),
        fc.boolean(),
        (text, multiline) => {
          const parsed = (multiline ? note : line).safeParse(text);
          if (!parsed.success) return;
          expect(parsed.data).toBe(parsed.data.normalize('NFC'));
          expect(parsed.data).not.toMatch(controlOrFormat);
          expect(parsed.data.isWellFormed()).toBe(true);
          if (!multiline) expect(parsed.data).not.toMatch(/[\n\r\u2028\u2029]/);
          expect(parsed.data).toBe(parsed.data.trim());
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('accepts the same text in NFC and NFD as one text', () => {
    fc.assert(
      fc.property(fc.constantFrom('Nguyễn Thị Lan', 'Phường Kim Liên', 'Đặng Hữu Ước', 'Hồ sơ đã bổ sung'), (text) => {
        expect(line.parse(text.normalize('NFD'))).toBe(line.parse(text));
        expect(line.parse(text)).toBe(text.normalize('NFC'));
      }),
    );
  });

  it('names the rule each kind of character breaks, after normalising and trimming', () => {
    const rules = (schema: typeof line, text: string) =>
      schema.safeParse(text).error?.issues.map((i) => i.message) ?? [];
    expect(rules(line, 'a\u202eb')).toEqual(['text_format_character']);
    expect(rules(line, 'a\tb')).toEqual(['text_control_character']);
    expect(rules(line, 'a\ud800b')).toEqual(['text_unpaired_surrogate']);
    expect(rules(line, 'a\nb')).toEqual(['text_line_break']);
    expect(rules(note, 'a\nb')).toEqual([]);
    expect(note.parse('a\r\nb\rc\u2028d')).toBe('a\nb\nc\nd');
    // Lengths are counted on the stored form: five combining sequences are five characters once composed.
    expect(freeText({ max: 5 }).safeParse('ẫẫẫẫẫ'.normalize('NFD')).success).toBe(true);
    expect(freeText({ min: 2, max: 5 }).safeParse('  a  ').success).toBe(false);
  });
});
