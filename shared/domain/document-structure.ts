/*
 * Whether a file's bytes are the structure its type names, not only its first bytes: a PDF parses to its trailer (or
 * its cross-reference stream) and names its catalogue, an image has a valid header with its dimensions and its end.
 * Every read is bounded by the buffer and every loop by the bytes left, whatever the file claims of itself.
 */

/** Why a file's bytes are not the structure their type names, with what was found (never the file's content). */
export type StructureDefect =
  | { code: 'pdf_version' }
  | { code: 'pdf_no_eof' }
  | { code: 'pdf_no_startxref' }
  | { code: 'pdf_xref_offset'; params: { offset: number } }
  | { code: 'pdf_xref_table'; params: { offset: number } }
  | { code: 'pdf_no_trailer' }
  | { code: 'pdf_no_root' }
  | { code: 'pdf_root_object'; params: { object: number } }
  | { code: 'jpeg_segment'; params: { offset: number } }
  | { code: 'jpeg_no_frame' }
  | { code: 'jpeg_dimensions'; params: { width: number; height: number } }
  | { code: 'jpeg_no_end' }
  | { code: 'png_no_header' }
  | { code: 'png_header_crc' }
  | { code: 'png_dimensions'; params: { width: number; height: number } }
  | { code: 'png_pixel_format'; params: { bitDepth: number; colourType: number } }
  | { code: 'png_chunk'; params: { offset: number } }
  | { code: 'png_chunk_crc'; params: { chunk: string } }
  | { code: 'png_no_data' }
  | { code: 'png_no_end' }
  | { code: 'tiff_directory' }
  | { code: 'tiff_dimensions'; params: { width: number; height: number } }
  | { code: 'unknown_type' };

export type DefectCode = StructureDefect['code'];

/** The structure of `bytes` as the type `contentType`: undefined when it holds, else the first defect found. */
export function structureDefect(contentType: string, bytes: Uint8Array): StructureDefect | undefined {
  switch (contentType) {
    case 'application/pdf':
      return pdfDefect(bytes);
    case 'image/jpeg':
      return jpegDefect(bytes);
    case 'image/png':
      return pngDefect(bytes);
    case 'image/tiff':
      return tiffDefect(bytes);
    default:
      return { code: 'unknown_type' };
  }
}

const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const u32be = (b: Uint8Array, i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;

/** Latin-1 text of bytes [start, end) clamped to the buffer: PDF's syntax is ASCII, its content need not be. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  const from = Math.max(0, start);
  const to = Math.min(bytes.length, end);
  let text = '';
  // In pieces: String.fromCharCode takes its arguments on the stack.
  for (let i = from; i < to; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, Math.min(to, i + 8192)));
  }
  return text;
}

// PDF (ISO 32000): `%PDF-1.x` first, then at the end `startxref`, the offset of the last cross-reference section, and
// `%%EOF`. That section is a table (`xref`, its subsections, then `trailer << … /Root n g R … >>`) or, since PDF
// 1.5, a cross-reference stream object whose dictionary has /Type /XRef and the /Root.

/** How far from the end `startxref` and `%%EOF` may be: the specification asks readers to look in the last 1024. */
const PDF_TAIL = 1024;
/** A trailer or an xref stream's dictionary longer than this is not one we need to read. */
const PDF_DICTIONARY = 64 * 1024;
/** Subsections of one table: each names at least one object, so none can be more than the bytes allow anyway. */
const PDF_SUBSECTIONS = 100_000;

function pdfDefect(bytes: Uint8Array): StructureDefect | undefined {
  if (!/^%PDF-(1\.[0-7]|2\.0)\s/.test(latin1(bytes, 0, 9))) return { code: 'pdf_version' };
  const tailStart = Math.max(0, bytes.length - PDF_TAIL);
  const tail = latin1(bytes, tailStart, bytes.length);
  const eof = tail.lastIndexOf('%%EOF');
  // PDF counts NUL as white space; some writers pad with it.
  if (eof < 0 || /[^\s\0]/.test(tail.slice(eof + 5))) return { code: 'pdf_no_eof' };
  const start = /startxref\s+(\d{1,10})\s+$/.exec(tail.slice(0, eof));
  if (!start) return { code: 'pdf_no_startxref' };
  const offset = Number(start[1]);
  const startxrefAt = tailStart + start.index;
  if (offset >= startxrefAt) return { code: 'pdf_xref_offset', params: { offset } };
  const section = latin1(bytes, offset, Math.min(startxrefAt, offset + PDF_DICTIONARY));
  if (section.startsWith('xref')) return pdfTableDefect(bytes, offset, startxrefAt);
  const stream = /^(\d{1,10})\s+(\d{1,5})\s+obj\s*<<([\s\S]*?)>>\s*stream/.exec(section);
  if (!stream) return { code: 'pdf_xref_offset', params: { offset } };
  // The stream's own dictionary is the trailer; nested dictionaries (/DecodeParms) only add keys we do not read.
  if (!/\/Type\s*\/XRef\b/.test(stream[3]!)) return { code: 'pdf_xref_offset', params: { offset } };
  return /\/Root\s+\d{1,10}\s+\d{1,5}\s+R\b/.test(stream[3]!) ? undefined : { code: 'pdf_no_root' };
}

/**
 * A cross-reference table: subsections `first count` with `count` entries of 20 bytes (`oooooooooo ggggg n`), then
 * the trailer. The catalogue the trailer names, when this section lists it, must be the object at its offset.
 */
function pdfTableDefect(bytes: Uint8Array, offset: number, end: number): StructureDefect | undefined {
  const table = { code: 'pdf_xref_table', params: { offset } } as const;
  let at = offset + 4;
  const inUse = new Map<number, number>();
  for (let subsection = 0; subsection < PDF_SUBSECTIONS; subsection++) {
    const head = /^\s*(?:(\d{1,10}) (\d{1,10})[ \t]*(?:\r\n|\r|\n)|trailer)/.exec(latin1(bytes, at, at + 64));
    if (!head) return table;
    if (head[1] === undefined) {
      at += head[0].length;
      return pdfTrailerDefect(bytes, latin1(bytes, at, Math.min(end, at + PDF_DICTIONARY)), inUse);
    }
    at += head[0].length;
    const first = Number(head[1]);
    const count = Number(head[2]);
    // Entries are 20 bytes; readers take the 19 of writers that end them with one character, and so do we.
    if (at + count * 19 > end) return table;
    for (let entry = 0; entry < count; entry++) {
      const line = /^(\d{10}) (\d{5}) ([nf])(?: \r| \n|\r\n|\r|\n)/.exec(latin1(bytes, at, at + 20));
      if (!line) return table;
      if (line[3] === 'n') inUse.set(first + entry, Number(line[1]));
      at += line[0].length;
    }
  }
  return table;
}

function pdfTrailerDefect(bytes: Uint8Array, trailer: string, inUse: Map<number, number>): StructureDefect | undefined {
  if (!/^\s*<</.test(trailer)) return { code: 'pdf_no_trailer' };
  const root = /\/Root\s+(\d{1,10})\s+(\d{1,5})\s+R\b/.exec(trailer);
  if (!root) return { code: 'pdf_no_root' };
  const object = Number(root[1]);
  const rootAt = inUse.get(object);
  // An incremental update's table lists only what changed; its catalogue may be in an earlier section.
  if (rootAt === undefined) return undefined;
  const opening = new RegExp(`^${object}\\s+${Number(root[2])}\\s+obj\\b`);
  return opening.test(latin1(bytes, rootAt, rootAt + 32)) ? undefined : { code: 'pdf_root_object', params: { object } };
}

// JPEG (ITU T.81, JFIF): SOI, marker segments up to a frame header (SOFn) that gives the height and the width, scans,
// and EOI last. Markers are 0xFF then a code; all but SOI, EOI, TEM and RSTn carry a two-byte length.

const isFrameHeader = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function jpegDefect(bytes: Uint8Array): StructureDefect | undefined {
  let at = 2;
  let frame = false;
  // Each pass moves at least two bytes on, so the buffer bounds the loop.
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return { code: 'jpeg_segment', params: { offset: at } };
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // A fill byte before a marker.
      continue;
    }
    if (marker === 0xd9 || marker === 0xd8) return { code: 'jpeg_segment', params: { offset: at } };
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    const length = u16be(bytes, at + 2);
    if (length < 2 || at + 2 + length > bytes.length) return { code: 'jpeg_segment', params: { offset: at } };
    if (isFrameHeader(marker)) {
      if (length < 8) return { code: 'jpeg_segment', params: { offset: at } };
      const height = u16be(bytes, at + 5);
      const width = u16be(bytes, at + 7);
      if (height === 0 || width === 0 || bytes[at + 9] === 0) {
        return { code: 'jpeg_dimensions', params: { width, height } };
      }
      frame = true;
    }
    if (marker === 0xda) {
      if (!frame) return { code: 'jpeg_no_frame' };
      // Entropy-coded data follows, in which 0xFF is stuffed; the image ends with EOI.
      return bytes[bytes.length - 2] === 0xff && bytes[bytes.length - 1] === 0xd9 ? undefined : { code: 'jpeg_no_end' };
    }
    at += 2 + length;
  }
  return frame ? { code: 'jpeg_no_end' } : { code: 'jpeg_no_frame' };
}

// PNG (ISO 15948): the signature, IHDR first (13 bytes: width, height, bit depth, colour type, compression, filter,
// interlace), chunks of length, type, data and CRC-32 over type and data, at least one IDAT, IEND last.

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  // An indexed loop: an iterator over 20 MiB costs seconds.
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The bit depths each colour type allows. */
const PNG_BIT_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
const PNG_MAX_DIMENSION = 2 ** 31 - 1;

function pngDefect(bytes: Uint8Array): StructureDefect | undefined {
  const typeAt = (i: number) => latin1(bytes, i + 4, i + 8);
  if (bytes.length < 8 + 25 || u32be(bytes, 8) !== 13 || typeAt(8) !== 'IHDR') return { code: 'png_no_header' };
  if (crc32(bytes.subarray(12, 29)) !== u32be(bytes, 29)) return { code: 'png_header_crc' };
  const width = u32be(bytes, 16);
  const height = u32be(bytes, 20);
  if (width === 0 || height === 0 || width > PNG_MAX_DIMENSION || height > PNG_MAX_DIMENSION) {
    return { code: 'png_dimensions', params: { width, height } };
  }
  const bitDepth = bytes[24]!;
  const colourType = bytes[25]!;
  const methods = bytes[26] === 0 && bytes[27] === 0 && (bytes[28] === 0 || bytes[28] === 1);
  if (!PNG_BIT_DEPTHS[colourType]?.includes(bitDepth) || !methods) {
    return { code: 'png_pixel_format', params: { bitDepth, colourType } };
  }
  let data = false;
  // Each chunk is at least 12 bytes, so the buffer bounds the loop.
  for (let at = 33; at + 12 <= bytes.length; ) {
    const length = u32be(bytes, at);
    const chunk = typeAt(at);
    if (length > PNG_MAX_DIMENSION || at + 12 + length > bytes.length || !/^[A-Za-z]{4}$/.test(chunk)) {
      return { code: 'png_chunk', params: { offset: at } };
    }
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== u32be(bytes, at + 8 + length)) {
      return { code: 'png_chunk_crc', params: { chunk } };
    }
    if (chunk === 'IHDR') return { code: 'png_chunk', params: { offset: at } };
    if (chunk === 'IDAT') data = true;
    if (chunk === 'IEND') {
      if (!data) return { code: 'png_no_data' };
      return at + 12 === bytes.length ? undefined : { code: 'png_no_end' };
    }
    at += 12 + length;
  }
  return data ? { code: 'png_no_end' } : { code: 'png_no_data' };
}

// TIFF (6.0): the byte order, 42, the offset of the first image file directory; its entries must give the image's
// width (tag 256) and length (tag 257).

function tiffDefect(bytes: Uint8Array): StructureDefect | undefined {
  if (bytes.length < 8) return { code: 'tiff_directory' };
  const little = bytes[0] === 0x49;
  const u16 = (i: number) => (little ? bytes[i]! | (bytes[i + 1]! << 8) : u16be(bytes, i));
  const u32 = (i: number) => (little ? (u16(i) | (u16(i + 2) << 16)) >>> 0 : u32be(bytes, i));
  const directory = u32(4);
  if (directory < 8 || directory + 2 > bytes.length) return { code: 'tiff_directory' };
  const entries = u16(directory);
  if (entries === 0 || directory + 2 + entries * 12 + 4 > bytes.length) return { code: 'tiff_directory' };
  let width = 0;
  let height = 0;
  for (let entry = 0; entry < entries; entry++) {
    const at = directory + 2 + entry * 12;
    const tag = u16(at);
    if (tag !== 256 && tag !== 257) continue;
    // SHORT (3) or LONG (4), one value, held in the entry itself.
    const value = u16(at + 2) === 3 ? u16(at + 8) : u16(at + 2) === 4 ? u32(at + 8) : 0;
    if (tag === 256) width = value;
    else height = value;
  }
  return width > 0 && height > 0 ? undefined : { code: 'tiff_dimensions', params: { width, height } };
}
