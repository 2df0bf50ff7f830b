/**
 * PNG bytes → RGBA floats in [0, 1], for every bit depth × colour type × interlace combination of
 * the PNG specification (W3C PNG 3rd ed., §6–8, §11): grey 1/2/4/8/16, RGB 8/16, palette 1/2/4/8,
 * grey+alpha and RGBA 8/16, tRNS colour keys and palette alpha, Adam7 interlacing.
 *
 * fast-png (image-js) decodes all of these except Adam7-interlaced images below 8 bits per pixel,
 * where it takes whole bytes per pixel and fails ("Unsupported filter: 247"; its de-interlacer
 * assumes byte-aligned pixels). Those few go through {@link decodeAdam7LowBit} here, which inflates
 * with fflate (fast-png's own inflater) and unfilters each pass with one byte per pixel as the
 * spec's filter rule requires for sub-byte pixels.
 */
import { unzlibSync } from 'fflate';
import { decode as decodeFastPng } from 'fast-png';
import { crc32 } from '../model-file/model-file';
import { FeatureError } from './logmel';

export interface RgbaImage {
  width: number;
  height: number;
  /** Interleaved RGBA, 4 floats per pixel in [0, 1], not premultiplied. */
  rgba: Float32Array;
}

interface Header {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  interlace: number;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The IHDR fields (the first chunk, at byte 8). */
export function pngHeader(bytes: Uint8Array): Header {
  if (bytes.length < 33) throw new FeatureError('PNG is truncated before its header');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    width: v.getUint32(16),
    height: v.getUint32(20),
    depth: bytes[24],
    colorType: bytes[25],
    interlace: bytes[28]
  };
}

/** Decodes a PNG to RGBA floats. Throws FeatureError on anything malformed. */
export function decodePng(bytes: Uint8Array): RgbaImage {
  const h = pngHeader(bytes);
  const channels = CHANNELS[h.colorType];
  if (channels === undefined) throw new FeatureError(`PNG colour type ${h.colorType} is invalid`);
  // tRNS is applied here rather than by fast-png, which refuses valid files whose colour key is
  // longer than the pixel count (tiny RGB images) or whose palette alpha list is longer than the
  // palette (libpng truncates it).
  const { idat, plte, trns, chunks } = readChunks(bytes);
  let samples: ArrayLike<number>;
  if (h.interlace === 1 && h.depth < 8) {
    samples = decodeAdam7LowBit(idat, h, channels);
  } else {
    let png;
    try {
      png = decodeFastPng(withoutChunk(bytes, chunks, 'tRNS'), { checkCrc: true });
    } catch (e) {
      throw new FeatureError(`PNG could not be decoded: ${message(e)}`);
    }
    samples = png.depth < 8 ? unpackBits(png.data as Uint8Array, h, channels) : png.data;
  }
  if (h.colorType === 3) {
    if (!plte || plte.length === 0 || plte.length % 3 !== 0) {
      throw new FeatureError('PNG palette (PLTE) is missing or malformed');
    }
    const palette = Array.from({ length: plte.length / 3 }, (_, i) => [
      plte[3 * i],
      plte[3 * i + 1],
      plte[3 * i + 2],
      trns && i < trns.length ? trns[i] : 255
    ]);
    return toRgba(expandPalette(samples, palette), h, 4, undefined, true);
  }
  const keyLength = h.colorType === 0 ? 1 : 3;
  const key =
    trns && (h.colorType === 0 || h.colorType === 2) && trns.length >= 2 * keyLength
      ? Uint16Array.from({ length: keyLength }, (_, k) => (trns[2 * k] << 8) | trns[2 * k + 1])
      : undefined;
  return toRgba(samples, h, channels, key, false);
}

function expandPalette(samples: ArrayLike<number>, palette: number[][]): Uint8Array {
  const out = new Uint8Array(samples.length * 4);
  for (let i = 0; i < samples.length; i++) {
    const c = palette[samples[i]];
    if (!c)
      throw new FeatureError(`PNG pixel uses palette entry ${samples[i]}, beyond the palette`);
    out.set(c, i * 4);
  }
  return out;
}

/** One number per sample → RGBA floats; `paletted` samples are already 8-bit colours. */
function toRgba(
  data: ArrayLike<number>,
  h: Header,
  channels: number,
  key: Uint16Array | undefined,
  paletted: boolean
): RgbaImage {
  const pixels = h.width * h.height;
  if (data.length < pixels * channels) {
    throw new FeatureError(`PNG holds ${data.length} samples, ${pixels * channels} expected`);
  }
  const max = paletted ? 255 : 2 ** h.depth - 1;
  const rgba = new Float32Array(pixels * 4);
  const colour = channels >= 3;
  const alpha = channels === 2 || channels === 4;
  for (let p = 0; p < pixels; p++) {
    const s = p * channels;
    const r = data[s];
    const g = colour ? data[s + 1] : r;
    const b = colour ? data[s + 2] : r;
    let a = alpha ? data[s + channels - 1] / max : 1;
    if (key && (colour ? r === key[0] && g === key[1] && b === key[2] : r === key[0])) a = 0;
    rgba.set([r / max, g / max, b / max, a], p * 4);
  }
  return { width: h.width, height: h.height, rgba };
}

/** Rows of packed 1/2/4-bit samples (each row starts on a byte) → one number per sample. */
function unpackBits(packed: Uint8Array, h: Header, channels: number): Uint8Array {
  const perRow = h.width * channels;
  const rowBytes = Math.ceil((perRow * h.depth) / 8);
  if (packed.length < rowBytes * h.height) throw new FeatureError('PNG pixel data is truncated');
  const out = new Uint8Array(perRow * h.height);
  unpackRows(
    packed,
    0,
    rowBytes,
    h.height,
    perRow,
    h.depth,
    (r, i, v) => (out[r * perRow + i] = v)
  );
  return out;
}

function unpackRows(
  src: Uint8Array,
  at: number,
  rowBytes: number,
  rows: number,
  perRow: number,
  depth: number,
  put: (row: number, i: number, v: number) => void
): void {
  const mask = (1 << depth) - 1;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < perRow; i++) {
      const bit = i * depth;
      put(r, i, (src[at + r * rowBytes + (bit >> 3)] >> (8 - depth - (bit & 7))) & mask);
    }
  }
}

/** Adam7 passes: first column and row, column and row steps (PNG spec §8.2). */
const PASSES = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2]
];

interface Chunks {
  idat: Uint8Array;
  plte?: Uint8Array;
  trns?: Uint8Array;
  /** [type, start, end] of every chunk, in file order. */
  chunks: [string, number, number][];
}

/** Chunk walk: lengths checked against the file, CRCs checked (PNG spec §5.3). */
function readChunks(bytes: Uint8Array): Chunks {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  const chunks: [string, number, number][] = [];
  let plte: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  let at = 8;
  while (at + 12 <= bytes.length) {
    const len = v.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (at + 12 + len > bytes.length) throw new FeatureError(`PNG chunk ${type} is truncated`);
    const body = bytes.subarray(at + 8, at + 8 + len);
    if (crc32(bytes.subarray(at + 4, at + 8 + len)) !== v.getUint32(at + 8 + len)) {
      throw new FeatureError(`PNG could not be decoded: CRC mismatch in chunk ${type}`);
    }
    chunks.push([type, at, at + 12 + len]);
    if (type === 'IDAT') parts.push(body);
    else if (type === 'PLTE') plte = body;
    else if (type === 'tRNS') trns = body;
    else if (type === 'IEND') break;
    at += 12 + len;
  }
  const idat = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) idat.set(p, (o += p.length) - p.length);
  return { idat, plte, trns, chunks };
}

/** The file without the chunks of one type. */
function withoutChunk(bytes: Uint8Array, chunks: [string, number, number][], type: string) {
  if (!chunks.some(([t]) => t === type)) return bytes;
  const keep = chunks.filter(([t]) => t !== type);
  const out = new Uint8Array(8 + keep.reduce((n, [, a, b]) => n + b - a, 0));
  out.set(bytes.subarray(0, 8));
  let o = 8;
  for (const [, a, b] of keep) {
    out.set(bytes.subarray(a, b), o);
    o += b - a;
  }
  return out;
}

/** Interlaced PNG of 1, 2 or 4 bits per sample (grey or palette) → one number per sample. */
function decodeAdam7LowBit(idat: Uint8Array, h: Header, channels: number): Uint8Array {
  if (channels !== 1)
    throw new FeatureError(`PNG colour type ${h.colorType} can't be ${h.depth}-bit`);
  if (![1, 2, 4].includes(h.depth)) throw new FeatureError(`PNG bit depth ${h.depth} is invalid`);
  let raw: Uint8Array;
  try {
    raw = unzlibSync(idat);
  } catch (e) {
    throw new FeatureError(`PNG pixel data could not be inflated: ${message(e)}`);
  }
  const out = new Uint8Array(h.width * h.height);
  let at = 0;
  for (const [x0, y0, dx, dy] of PASSES) {
    const w = Math.ceil((h.width - x0) / dx);
    const rows = Math.ceil((h.height - y0) / dy);
    if (w <= 0 || rows <= 0) continue;
    const rowBytes = Math.ceil((w * h.depth) / 8);
    if (at + rows * (rowBytes + 1) > raw.length)
      throw new FeatureError('PNG pixel data is truncated');
    const pass = unfilter(raw, at, rowBytes, rows);
    at += rows * (rowBytes + 1);
    unpackRows(pass, 0, rowBytes, rows, w, h.depth, (r, i, val) => {
      out[(y0 + r * dy) * h.width + x0 + i * dx] = val;
    });
  }
  return out;
}

/** Undoes the per-row filters of one pass; sub-byte pixels filter with a 1-byte left neighbour. */
function unfilter(raw: Uint8Array, at: number, rowBytes: number, rows: number): Uint8Array {
  const out = new Uint8Array(rowBytes * rows);
  for (let r = 0; r < rows; r++) {
    const filter = raw[at + r * (rowBytes + 1)];
    const src = at + r * (rowBytes + 1) + 1;
    const o = r * rowBytes;
    for (let i = 0; i < rowBytes; i++) {
      const a = i > 0 ? out[o + i - 1] : 0;
      const b = r > 0 ? out[o - rowBytes + i] : 0;
      const c = i > 0 && r > 0 ? out[o - rowBytes + i - 1] : 0;
      let pred: number;
      switch (filter) {
        case 0:
          pred = 0;
          break;
        case 1:
          pred = a;
          break;
        case 2:
          pred = b;
          break;
        case 3:
          pred = (a + b) >> 1;
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw new FeatureError(`PNG row filter ${filter} is invalid`);
      }
      out[o + i] = (raw[src + i] + pred) & 0xff;
    }
  }
  return out;
}
