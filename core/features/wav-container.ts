/**
 * The container layer of WAV files as the common writers produce them: RIFF (Microsoft/IBM
 * Multimedia Programming Interface 1.0, 1991), RF64 and BW64 (EBU Tech 3306 / ITU-R BS.2088: a
 * `ds64` chunk carries 64-bit sizes, the 32-bit fields hold 0xFFFFFFFF) and Sony Wave64 (16-byte
 * chunk GUIDs, 64-bit sizes that include the 24-byte chunk header, chunks 8-byte aligned).
 *
 * What other tools write and sox/ffmpeg read, and so must this: 0xFFFFFFFF or 0 sizes from a
 * writer that streamed to a pipe and never went back; sizes larger than the file from a recorder
 * killed mid-write; chunks in any order (data before fmt); odd-sized chunks with or without their
 * pad byte; trailing bytes after the RIFF. The samples present are returned, with a warning when
 * the file ended before the header said it would. Nothing here trusts a size field.
 */
import { WavError } from './wav-error';

export interface WavChunks {
  /** The `fmt ` chunk's body. */
  fmt: Uint8Array;
  /** Byte range of the sample data within the file. */
  dataAt: number;
  dataSize: number;
  /** The data size the header promised, when the file holds fewer bytes than that. */
  promised?: number;
  /** Sizes were placeholders (a streamed file): the data runs to the end of the file. */
  streamed: boolean;
}

const PLACEHOLDER = 0xffffffff;
const W64_SUFFIX = [0xf3, 0xac, 0xd3, 0x11, 0x8c, 0xd1, 0x00, 0xc0, 0x4f, 0x8e, 0xdb, 0x8a];
const W64_RIFF = [0x2e, 0x91, 0xcf, 0x11, 0xa5, 0xd6, 0x28, 0xdb, 0x04, 0xc1, 0x00, 0x00];

function fourCC(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
}

const isId = (b: Uint8Array, at: number): boolean =>
  at + 4 <= b.length && [0, 1, 2, 3].every((k) => b[at + k] >= 0x20 && b[at + k] < 0x7f);

function u64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
}

function matches(b: Uint8Array, at: number, bytes: number[]): boolean {
  return bytes.every((v, k) => b[at + k] === v);
}

/** Which WAV container the bytes start with, or undefined. */
export function wavKind(b: Uint8Array): 'riff' | 'rf64' | 'w64' | 'rifx' | undefined {
  if (b.length < 12) return undefined;
  const head = fourCC(b, 0);
  if (fourCC(b, 8) === 'WAVE') {
    if (head === 'RIFF') return 'riff';
    if (head === 'RF64' || head === 'BW64') return 'rf64';
    if (head === 'RIFX') return 'rifx';
  }
  if (b.length >= 40 && head === 'riff' && matches(b, 4, W64_RIFF) && fourCC(b, 24) === 'wave') {
    return 'w64';
  }
  return undefined;
}

/** Finds the fmt and data chunks of a RIFF, RF64/BW64 or Wave64 file. Throws WavError. */
export function readWavChunks(b: Uint8Array): WavChunks {
  const kind = wavKind(b);
  if (kind === 'rifx') {
    throw new WavError('big-endian WAV (RIFX) is not read; convert it to ordinary WAV first');
  }
  if (!kind) throw new WavError('not a WAV file (no RIFF/WAVE header)');
  return kind === 'w64' ? wave64Chunks(b) : riffChunks(b, kind === 'rf64');
}

function riffChunks(b: Uint8Array, rf64: boolean): WavChunks {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let fmt: Uint8Array | undefined;
  let data: WavChunks | undefined;
  let ds64Data: number | undefined;
  let at = 12;
  while (at + 8 <= b.length) {
    const id = fourCC(b, at);
    let size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'ds64' && rf64 && size >= 16 && body + 16 <= b.length)
      ds64Data = u64(view, body + 8);
    if (id === 'data') {
      if (data) throw new WavError('the file has two "data" chunks');
      const rest = b.length - body;
      if (rf64 && size === PLACEHOLDER && ds64Data !== undefined) size = ds64Data;
      if (size === PLACEHOLDER || (size === 0 && rest > 0 && !isId(b, body))) {
        // A streamed file: the writer could not go back to fill the size in.
        data = { fmt: new Uint8Array(0), dataAt: body, dataSize: rest, streamed: true };
        break;
      }
      if (size > rest) {
        data = {
          fmt: new Uint8Array(0),
          dataAt: body,
          dataSize: rest,
          promised: size,
          streamed: false
        };
        break;
      }
      data = { fmt: new Uint8Array(0), dataAt: body, dataSize: size, streamed: false };
    } else if (id === 'fmt ') {
      if (fmt) throw new WavError('the file has two "fmt " chunks');
      if (body + size > b.length) {
        throw new WavError(
          `the "fmt " chunk says ${size} bytes but the file ends first (truncated?)`
        );
      }
      fmt = b.subarray(body, body + size);
    } else if (body + size > b.length || size === PLACEHOLDER) {
      // A chunk that runs past the end: harmless after the audio, fatal before it.
      if (fmt && data) break;
      throw new WavError(
        `chunk ${JSON.stringify(id)} says ${size} bytes but only ${b.length - body} remain (truncated?)`
      );
    }
    if (fmt && data && !isId(b, nextChunk(b, body, size))) break;
    at = nextChunk(b, body, size);
  }
  if (!fmt) throw new WavError('the file has no "fmt " chunk');
  if (!data) throw new WavError('the file has no "data" chunk');
  return { ...data, fmt };
}

/** Chunks are padded to an even length; some writers forget the pad byte, so look both ways. */
function nextChunk(b: Uint8Array, body: number, size: number): number {
  const end = body + size;
  if (size % 2 === 0) return end;
  return !isId(b, end + 1) && isId(b, end) ? end : end + 1;
}

function wave64Chunks(b: Uint8Array): WavChunks {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let fmt: Uint8Array | undefined;
  let data: WavChunks | undefined;
  let at = 40;
  while (at + 24 <= b.length) {
    const id = fourCC(b, at);
    if (!matches(b, at + 4, W64_SUFFIX)) break; // not a Wave64 chunk GUID: trailing bytes
    const size = u64(view, at + 16);
    if (size < 24)
      throw new WavError(`Wave64 chunk ${JSON.stringify(id)} has a size under 24 bytes`);
    const body = at + 24;
    const bodySize = size - 24;
    const rest = b.length - body;
    if (id === 'data') {
      data =
        bodySize > rest
          ? {
              fmt: new Uint8Array(0),
              dataAt: body,
              dataSize: rest,
              promised: bodySize,
              streamed: false
            }
          : { fmt: new Uint8Array(0), dataAt: body, dataSize: bodySize, streamed: false };
    } else if (id === 'fmt ') {
      if (bodySize > rest) throw new WavError('the "fmt " chunk is truncated');
      fmt = b.subarray(body, body + bodySize);
    } else if (bodySize > rest) {
      if (fmt && data) break;
      throw new WavError(`Wave64 chunk ${JSON.stringify(id)} runs past the end (truncated?)`);
    }
    at = body + Math.ceil(bodySize / 8) * 8;
  }
  if (!fmt) throw new WavError('the file has no "fmt " chunk');
  if (!data) throw new WavError('the file has no "data" chunk');
  return { ...data, fmt };
}
