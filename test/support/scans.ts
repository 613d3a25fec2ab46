import { crc32, deflateSync } from 'node:zlib';

/*
 * Real, minimal scans made byte by byte for the tests: a PDF whose cross-reference table gives each object's true
 * offset, a baseline JPEG with its frame header, a PNG with its chunks' CRCs, a TIFF with its directory.
 */

/** A one-page PDF; `xrefStream` writes its cross-reference section as a PDF 1.5 stream object instead of a table. */
export function pdfFile({ xrefStream = false }: { xrefStream?: boolean } = {}): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
  ];
  let body = xrefStream ? '%PDF-1.5\n' : '%PDF-1.7\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xrefAt = body.length;
  if (xrefStream) {
    // Type 1 entries: 1 byte type, 4 bytes offset, 1 byte generation; object 0 and the stream itself too.
    const rows = [[0, 0, 255], ...offsets.map((o) => [1, o, 0]), [1, xrefAt, 0]];
    const data = Buffer.concat(
      rows.map(([t, o, g]) => Buffer.from([t!, ...[24, 16, 8, 0].map((s) => (o! >>> s) & 255), g!])),
    );
    const dictionary = `<< /Type /XRef /Size ${rows.length} /W [1 4 1] /Root 1 0 R /Length ${data.length} >>`;
    return Buffer.concat([
      Buffer.from(`${body}4 0 obj\n${dictionary}\nstream\n`, 'latin1'),
      data,
      Buffer.from(`\nendstream\nendobj\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'),
    ]);
  }
  const entries = offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${entries}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

const segment = (marker: number, payload: number[]) => [
  0xff,
  marker,
  (payload.length + 2) >> 8,
  (payload.length + 2) & 255,
  ...payload,
];

/** A 16×8 greyscale baseline JPEG's structure; `frame: false` leaves out its frame header (SOF0). */
export function jpegFile({ frame = true, width = 16, height = 8 } = {}): Buffer {
  return Buffer.from([
    0xff,
    0xd8,
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...segment(0xdb, [0, ...new Array(64).fill(1)]),
    ...(frame ? segment(0xc0, [8, height >> 8, height & 255, width >> 8, width & 255, 1, 1, 0x11, 0]) : []),
    ...segment(0xc4, [0, ...new Array(16).fill(0).map((_, i) => (i === 0 ? 1 : 0)), 0]),
    ...segment(0xda, [1, 1, 0, 0, 63, 0]),
    0x00,
    0xff,
    0x00,
    0x12,
    0xff,
    0xd9,
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A 4×2 8-bit RGB PNG; `headerCrc` overrides its IHDR chunk's CRC. */
export function pngFile({ headerCrc }: { headerCrc?: number } = {}): Buffer {
  const width = 4;
  const height = 2;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const ihdr = chunk('IHDR', header);
  if (headerCrc !== undefined) ihdr.writeUInt32BE(headerCrc, ihdr.length - 4);
  // Each row: filter type 0, then RGB pixels.
  const rows = Buffer.concat(new Array(height).fill(0).map(() => Buffer.from([0, ...new Array(width * 3).fill(200)])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    ihdr,
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A 2×2 bilevel little-endian TIFF: its directory gives the width and the length (the image data is one strip). */
export function tiffFile(): Buffer {
  const entries: [number, number, number][] = [
    [256, 3, 2], // ImageWidth
    [257, 3, 2], // ImageLength
    [259, 3, 1], // Compression: none
    [262, 3, 0], // Photometric: white is zero
    [273, 4, 8 + 2 + 6 * 12 + 4], // StripOffsets
    [279, 4, 2], // StripByteCounts
  ];
  const file = Buffer.alloc(8 + 2 + entries.length * 12 + 4 + 2);
  file.write('II', 0, 'latin1');
  file.writeUInt16LE(42, 2);
  file.writeUInt32LE(8, 4);
  file.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, value], i) => {
    const at = 10 + i * 12;
    file.writeUInt16LE(tag, at);
    file.writeUInt16LE(type, at + 2);
    file.writeUInt32LE(1, at + 4);
    if (type === 3) file.writeUInt16LE(value, at + 8);
    else file.writeUInt32LE(value, at + 8);
  });
  return file;
}
