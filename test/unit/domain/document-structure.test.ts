import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { structureDefect } from '../../../shared/domain/document-structure.ts';
import { judgeDocument } from '../../../shared/domain/documents.ts';
import { messages } from '../../../shared/http/messages.ts';
import { jpegFile, pdfFile, pngFile, tiffFile } from '../../support/scans.ts';

const latin1 = (bytes: Buffer) => bytes.toString('latin1');
const edit = (bytes: Buffer, from: string | RegExp, to: string) =>
  Buffer.from(latin1(bytes).replace(from, to), 'latin1');

/** The verdict on `bytes` stored exactly as declared under `contentType`. */
const judge = (contentType: string, bytes: Buffer) =>
  judgeDocument(
    { contentType, sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
    { sizeBytes: bytes.length, bytes, sha256: createHash('sha256').update(bytes).digest('hex') },
  );

describe('a document’s structure', () => {
  it.each([
    ['a PDF with a cross-reference table', 'application/pdf', pdfFile()],
    ['a PDF with a cross-reference stream', 'application/pdf', pdfFile({ xrefStream: true })],
    ['a JPEG', 'image/jpeg', jpegFile()],
    ['a PNG', 'image/png', pngFile()],
    ['a TIFF', 'image/tiff', tiffFile()],
  ])('verifies %s made in the test', (_, contentType, bytes) => {
    expect(structureDefect(contentType, bytes)).toBeUndefined();
    expect(judge(contentType, bytes)).toEqual({ ok: true, contentType });
  });

  const pdf = pdfFile();
  it.each([
    ['a file that starts like a PDF and is cut short', pdf.subarray(0, pdf.length / 2), { code: 'pdf_no_eof' }],
    [
      'a PDF header and a trailer without a cross-reference section',
      Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
      { code: 'pdf_no_startxref' },
    ],
    [
      'a startxref pointing elsewhere than the cross-reference section',
      edit(pdf, /startxref\n\d+/, 'startxref\n9'),
      { code: 'pdf_xref_offset', params: { offset: 9 } },
    ],
    [
      'a cross-reference table with a broken entry',
      edit(pdf, '00000 n \n', '00000 x \n'),
      { code: 'pdf_xref_table', params: { offset: latin1(pdf).indexOf('xref\n') } },
    ],
    ['a trailer without a catalogue', edit(pdf, '/Root 1 0 R', '/Roof 1 0 R'), { code: 'pdf_no_root' }],
    [
      'a cross-reference stream without its /Type',
      edit(pdfFile({ xrefStream: true }), '/Type /XRef', '/Tipe /XRef'),
      { code: 'pdf_xref_offset' },
    ],
    [
      'a cross-reference stream without a catalogue',
      edit(pdfFile({ xrefStream: true }), '/Root', '/Roof'),
      { code: 'pdf_no_root' },
    ],
  ])('refuses %s as a PDF', (_, bytes, defect) => {
    expect(structureDefect('application/pdf', bytes)).toMatchObject(defect);
    expect(judge('application/pdf', bytes)).toMatchObject({ ok: false, reason: 'malformed', defect });
  });

  it('takes what readers take: carriage returns, one-character entry ends, NUL padding after %%EOF', () => {
    // Each edit keeps the length up to the table, so the offsets stay true.
    const carriageReturns = edit(pdf, /xref\n0 4\n/, 'xref\r0 4\r');
    const shortEntries = Buffer.from(latin1(pdf).replace(/ \n(?=\d{10}|trailer)/g, '\n'), 'latin1');
    const padded = Buffer.concat([pdf, Buffer.alloc(8)]);
    for (const bytes of [carriageReturns, shortEntries, padded]) {
      expect(bytes.equals(pdf)).toBe(false);
      expect(structureDefect('application/pdf', bytes)).toBeUndefined();
    }
  });

  it('refuses a catalogue whose table entry points at another object', () => {
    // Object 1's entry moved onto object 2's offset: the trailer's /Root 1 0 R is then not where the table says.
    const entries = latin1(pdf).match(/\d{10} 00000 n \n/g)!;
    const moved = edit(pdf, entries[0]!, entries[1]!);
    expect(structureDefect('application/pdf', moved)).toEqual({ code: 'pdf_root_object', params: { object: 1 } });
  });

  it('refuses a text file named .pdf: its bytes are of no type we take', () => {
    expect(judge('application/pdf', Buffer.from('hello, this is not a scan at all\n'))).toEqual({
      ok: false,
      reason: 'unsupported_type',
    });
  });

  it.each([
    ['a JPEG without its frame header', jpegFile({ frame: false }), { code: 'jpeg_no_frame' }],
    ['a JPEG of no height', jpegFile({ height: 0 }), { code: 'jpeg_dimensions', params: { width: 16, height: 0 } }],
    ['a JPEG cut short', jpegFile().subarray(0, -2), { code: 'jpeg_no_end' }],
    ['a JPEG whose segment runs past its end', jpegFile().subarray(0, 30), { code: 'jpeg_segment' }],
  ])('refuses %s', (_, bytes, defect) => {
    expect(judge('image/jpeg', bytes)).toMatchObject({ ok: false, reason: 'malformed', defect });
  });

  it.each([
    ['a PNG whose IHDR CRC is wrong', pngFile({ headerCrc: 0x12345678 }), { code: 'png_header_crc' }],
    ['a PNG without IEND', pngFile().subarray(0, -12), { code: 'png_no_end' }],
    ['a PNG cut inside a chunk', pngFile().subarray(0, -14), { code: 'png_chunk' }],
    [
      'a PNG with a corrupt IDAT',
      edit(pngFile(), 'IDAT', 'IDAU'),
      { code: 'png_chunk_crc', params: { chunk: 'IDAU' } },
    ],
    ['a PNG without its IHDR', edit(pngFile(), 'IHDR', 'IHDX'), { code: 'png_no_header' }],
  ])('refuses %s', (_, bytes, defect) => {
    expect(judge('image/png', bytes)).toMatchObject({ ok: false, reason: 'malformed', defect });
  });

  it('refuses a PNG of width 0 or with a bit depth its colour type does not allow, its CRC right', () => {
    const withHeader = (change: (header: Buffer) => void) => {
      const bytes = pngFile();
      change(bytes.subarray(16, 29));
      bytes.writeUInt32BE(Number(BigInt.asUintN(32, BigInt(crc32Of(bytes.subarray(12, 29))))), 29);
      return bytes;
    };
    expect(
      structureDefect(
        'image/png',
        withHeader((h) => h.writeUInt32BE(0, 0)),
      ),
    ).toEqual({
      code: 'png_dimensions',
      params: { width: 0, height: 2 },
    });
    expect(
      structureDefect(
        'image/png',
        withHeader((h) => (h[8] = 4)),
      ),
    ).toEqual({
      code: 'png_pixel_format',
      params: { bitDepth: 4, colourType: 2 },
    });
  });

  it('refuses a TIFF whose directory names no width', () => {
    const bytes = tiffFile();
    bytes.writeUInt16LE(300, 10);
    expect(judge('image/tiff', bytes)).toMatchObject({ reason: 'malformed', defect: { code: 'tiff_dimensions' } });
  });

  it('finds a defect in every shortened file and never reads past the bytes it has', () => {
    // A PDF's last line break is optional after its %%EOF.
    const files: [string, Buffer][] = [
      ['application/pdf', pdf.subarray(0, -1)],
      ['application/pdf', pdfFile({ xrefStream: true }).subarray(0, -1)],
      ['image/jpeg', jpegFile()],
      ['image/png', pngFile()],
    ];
    for (const [contentType, bytes] of files) {
      expect(structureDefect(contentType, bytes)).toBeUndefined();
      for (let length = 0; length < bytes.length; length++) {
        expect(structureDefect(contentType, bytes.subarray(0, length))).toBeDefined();
      }
    }
  });

  it('answers any bytes after a signature with a verdict, without throwing', () => {
    const signatures = [
      Buffer.from('%PDF-1.7\n'),
      Buffer.from([0xff, 0xd8]),
      pngFile().subarray(0, 8),
      tiffFile().subarray(0, 4),
    ];
    const types = ['application/pdf', 'image/jpeg', 'image/png', 'image/tiff'];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.uint8Array({ maxLength: 300 }), (which, rest) => {
        const bytes = Buffer.concat([signatures[which]!, rest]);
        expect(() => structureDefect(types[which]!, bytes)).not.toThrow();
      }),
    );
  });
});

function crc32Of(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('a defect’s message', () => {
  it('exists in Vietnamese and English for every defect, naming exactly its figures', () => {
    const source = readFileSync(resolve(import.meta.dirname, '../../../shared/domain/document-structure.ts'), 'utf8');
    const union = source.slice(source.indexOf('export type StructureDefect'), source.indexOf('export type DefectCode'));
    const defects = [...union.matchAll(/code: '([a-z_]+)'(?:; params: \{ ([^}]*) \})?/g)];
    expect(defects.length).toBeGreaterThan(20);
    const named = [...defects.map((m) => ({ code: m[1]!, params: m[2] ?? '' })), { code: 'malformed', params: '' }];
    for (const { code, params } of named) {
      const names = [...params.matchAll(/(\w+):/g)].map((m) => m[1]).sort();
      for (const locale of ['vi', 'en'] as const) {
        const text = messages[code!]?.[locale];
        expect(text, `${code} ${locale}`).toBeDefined();
        expect([...text!.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort(), `${code} ${locale}`).toEqual(names);
      }
    }
  });
});
