/** The ranges of an Accept header read, at most: a client cannot make a request loop over a header of thousands. */
const MAX_RANGES = 32;
const TOKEN = "[\\w!#$%&'*+.^`|~-]+";
const RANGE = new RegExp(`^(${TOKEN})/(${TOKEN})$`);
const QUALITY = /^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$/i;

interface MediaRange {
  type: string;
  subtype: string;
  quality: number;
}

function rangesOf(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of accept.split(',', MAX_RANGES)) {
    const [range = '', ...parameters] = part.split(';').map((p) => p.trim());
    const found = RANGE.exec(range.toLowerCase());
    if (!found) continue;
    const q = parameters.find((p) => /^q=/i.test(p));
    // A weight that is not one (RFC 9110 §12.4.2) leaves the range out rather than guessing its weight.
    if (q !== undefined && !QUALITY.test(q)) continue;
    ranges.push({ type: found[1]!, subtype: found[2]!, quality: q === undefined ? 1 : Number(q.slice(2)) });
  }
  return ranges;
}

/** The weight a client gives a media type: that of its most specific range (type/subtype, then type/*, then *\/*). */
function qualityOf(mediaType: string, ranges: readonly MediaRange[]): number {
  const [type, subtype] = mediaType.split('/') as [string, string];
  let best: { specificity: number; quality: number } = { specificity: -1, quality: 0 };
  for (const range of ranges) {
    const specificity =
      range.type === type && range.subtype === subtype
        ? 2
        : range.type === type && range.subtype === '*'
          ? 1
          : range.type === '*' && range.subtype === '*'
            ? 0
            : -1;
    if (specificity > best.specificity) best = { specificity, quality: range.quality };
  }
  return best.quality;
}

/**
 * The media type to answer in (RFC 9110 §12.5.1): of those offered, the one the Accept header weighs most, the
 * first offered on a tie, so the first is also the answer to no Accept at all or to `*\/*`. Undefined when the
 * client accepts none of them: a 406.
 */
export function preferredMediaType(accept: string | undefined, offered: readonly string[]): string | undefined {
  if (accept === undefined || accept.trim() === '') return offered[0];
  const ranges = rangesOf(accept);
  let chosen: { mediaType: string; quality: number } | undefined;
  for (const mediaType of offered) {
    const quality = qualityOf(mediaType, ranges);
    if (quality > 0 && quality > (chosen?.quality ?? 0)) chosen = { mediaType, quality };
  }
  return chosen?.mediaType;
}
