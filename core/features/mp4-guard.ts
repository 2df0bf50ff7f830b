/**
 * A check of MP4/M4A sample tables before the decoder sees them. The audiojs MP4 demuxer
 * (@audio/decode-mp4 1.2) allocates each table from its declared entry count without comparing it
 * to the box's size, so a damaged file claiming 4 billion entries exhausts memory instead of
 * failing (found by `npm run fuzz`). Box layout: ISO/IEC 14496-12 §4.2 (size, type, 64-bit
 * `largesize` when size is 1, "to the end" when 0) and §8.6–8.7 for the tables checked here.
 */
import { AudioError } from './audio-error';

/** Boxes whose bodies hold child boxes on the way to the sample tables. */
const CONTAINERS = new Set([
  'moov',
  'trak',
  'mdia',
  'minf',
  'stbl',
  'edts',
  'udta',
  'mvex',
  'moof',
  'traf'
]);

/** Full-box tables: [offset of the entry count in the body, bytes per entry]. */
const TABLES: Record<string, [number, number]> = {
  stco: [4, 4],
  co64: [4, 8],
  stsc: [4, 12],
  stts: [4, 8],
  ctts: [4, 8],
  stss: [4, 4],
  elst: [4, 12]
};

function type(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
}

/** Throws AudioError when a sample table claims more entries than its box or the file can hold. */
export function checkMp4Tables(b: Uint8Array): void {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const walk = (from: number, to: number, depth: number): void => {
    let at = from;
    while (at + 8 <= to) {
      let size = v.getUint32(at);
      let header = 8;
      if (size === 1) {
        if (at + 16 > to) return;
        size = v.getUint32(at + 8) * 2 ** 32 + v.getUint32(at + 12);
        header = 16;
      } else if (size === 0) size = to - at;
      if (size < header || at + size > to) return; // the decoder reports damaged boxes itself
      const name = type(b, at + 4);
      const body = at + header;
      const length = size - header;
      if (CONTAINERS.has(name) && depth < 16) walk(body, at + size, depth + 1);
      const table = name === 'stsz' ? [8, 4] : TABLES[name];
      if (table && length >= table[0] + 4) {
        const count = v.getUint32(body + table[0]);
        const constantSize = name === 'stsz' && v.getUint32(body + 4) !== 0;
        const fits = constantSize ? count <= b.length : table[0] + 4 + count * table[1] <= length;
        if (!fits) {
          throw new AudioError(
            `the MP4/M4A file is damaged: its "${name}" table claims ${count} entries in ${length} bytes`
          );
        }
      }
      at += size;
    }
  };
  walk(0, b.length, 0);
}
