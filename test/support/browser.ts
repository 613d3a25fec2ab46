import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { inflateSync } from 'node:zlib';

const run = promisify(execFile);

/** How to get what the printing test needs, as .ci/run does it. */
const INSTALL =
  'install Debian’s headless Chromium as .ci/run does: apt-get install -y --no-install-recommends chromium-headless-shell poppler-utils fonts-dejavu-core (with sudo unless root)';

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {}
  }
  return undefined;
}

/** The browser and poppler's tools, or an error saying how to install them: a missing browser is no silent skip. */
export function printingTools(): { chromium: string; pdftotext: string; pdfinfo: string } {
  const chromium = process.env.CHROMIUM || onPath('chromium-headless-shell') || onPath('chromium');
  const pdftotext = onPath('pdftotext');
  const pdfinfo = onPath('pdfinfo');
  if (!chromium)
    throw new Error(`Chromium not found (chromium-headless-shell or chromium on PATH, or CHROMIUM): ${INSTALL}`);
  if (!pdftotext || !pdfinfo) throw new Error(`pdftotext or pdfinfo not found: ${INSTALL}`);
  return { chromium, pdftotext, pdfinfo };
}

/** A4 at CSS's 96 pixels per inch: 210 × 297 mm. */
export const A4_PIXELS = { width: 794, height: 1123 } as const;

export interface Printed {
  png: Buffer;
  /** The PDF's text as pdftotext lays it out (a table's row on one line). */
  pdfText: string;
  /** pdfinfo's report: pages, page size. */
  pdfInfo: string;
}

/**
 * A page rendered by a real browser, from a file as a leader would open a saved report: a screenshot of its first
 * A4 screen, and the page printed to PDF, as its own @page rules lay it out.
 */
export async function printPage(html: string): Promise<Printed> {
  const tools = printingTools();
  const dir = mkdtempSync(join(tmpdir(), 'motcua-print-'));
  try {
    const page = join(dir, 'report.html');
    writeFileSync(page, html);
    const browser = [
      '--headless',
      // Root in a container has no user namespace to sandbox in; the page is our own, with no script.
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      `--user-data-dir=${join(dir, 'profile')}`,
    ];
    const options = { timeout: 60_000 };
    await run(
      tools.chromium,
      [
        ...browser,
        `--window-size=${A4_PIXELS.width},${A4_PIXELS.height}`,
        `--screenshot=${join(dir, 'report.png')}`,
        `file://${page}`,
      ],
      options,
    );
    await run(
      tools.chromium,
      [...browser, '--no-pdf-header-footer', `--print-to-pdf=${join(dir, 'report.pdf')}`, `file://${page}`],
      options,
    );
    const pdf = join(dir, 'report.pdf');
    return {
      png: readFileSync(join(dir, 'report.png')),
      pdfText: (await run(tools.pdftotext, ['-layout', '-enc', 'UTF-8', pdf, '-'], options)).stdout,
      pdfInfo: (await run(tools.pdfinfo, [pdf], options)).stdout,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Pixels {
  width: number;
  height: number;
  /** RGB of the pixel at x, y. */
  at(x: number, y: number): [number, number, number];
}

/** The pixels of an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes): enough to look at a screenshot. */
export function decodePng(png: Buffer): Pixels {
  if (png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('not a PNG');
  let offset = 8;
  let header: { width: number; height: number; depth: number; colour: number; interlace: number } | undefined;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const chunk = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR')
      header = {
        width: chunk.readUInt32BE(0),
        height: chunk.readUInt32BE(4),
        depth: chunk[8]!,
        colour: chunk[9]!,
        interlace: chunk[12]!,
      };
    else if (type === 'IDAT') data.push(chunk);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  if (header?.depth !== 8 || ![2, 6].includes(header.colour) || header.interlace !== 0)
    throw new Error(`a PNG this reader does not decode: ${JSON.stringify(header)}`);
  const { width, height } = header;
  const channels = header.colour === 6 ? 4 : 3;
  const stride = width * channels;
  const raw = inflateSync(Buffer.concat(data));
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? pixels[y * stride + x - channels]! : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const upLeft = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels]! : 0;
      const predictor =
        filter === 0
          ? 0
          : filter === 1
            ? left
            : filter === 2
              ? up
              : filter === 3
                ? Math.floor((left + up) / 2)
                : paeth(left, up, upLeft);
      pixels[y * stride + x] = (line[x]! + predictor) & 0xff;
    }
  }
  return {
    width,
    height,
    at: (x, y) => {
      const i = y * stride + x * channels;
      return [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!];
    },
  };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
