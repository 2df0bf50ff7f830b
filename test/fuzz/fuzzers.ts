/**
 * Mutation and random-input fuzzers for every parser of untrusted bytes or payloads. Each case
 * must end in the parser's own clear error (or a valid result) — never another exception — and
 * quickly. `runFuzzer` reports the slowest case and the heap growth so hangs and leaks show up.
 */
import { decodeAudio } from '../../core/features/audio';
import { AudioError } from '../../core/features/audio-error';
import { decodeImage } from '../../core/features/image';
import { findUtterances } from '../../core/features/utterances';
import { FeatureError, SPEECH_LOGMEL } from '../../core/features/logmel';
import { decodeWav, encodeWav, WavError } from '../../core/features/wav';
import { ConvertError, convertToInt } from '../../core/engine/convert';
import {
  crc32,
  decodeModel,
  encodeModel,
  ModelFileError,
  type ModelContents
} from '../../core/model-file/model-file';
import { DatasetError, scanDataset, type DatasetSource } from '../../core/data/dataset';
import { SpecError } from '../../core/spec';
import { createRng, type Rng } from '../../core/util/rng';
import { ApiError, validateRequest, METHODS } from '../../electron/shared/api';
import { decodeWire } from '../../electron/shared/wire';
import { encode as encodePng } from 'fast-png';
import * as jpeg from 'jpeg-js';
import type { Seeds } from './seeds';

export interface Fuzzer {
  name: string;
  /** Runs one case from the rng; throws only if the parser misbehaved. */
  run(rng: Rng): void | Promise<void>;
}

/** Byte flips, overwrites, truncation, duplication and insertion of random bytes. */
export function mutate(seed: Uint8Array, rng: Rng): Uint8Array {
  let b = seed.slice();
  const edits = 1 + rng.int(6);
  for (let e = 0; e < edits; e++) {
    const kind = rng.int(5);
    if (kind === 0 && b.length) b[rng.int(b.length)] ^= 1 << rng.int(8);
    else if (kind === 1 && b.length) b[rng.int(b.length)] = rng.int(256);
    else if (kind === 2) b = b.slice(0, rng.int(b.length + 1));
    else if (kind === 3 && b.length) {
      const at = rng.int(b.length);
      const len = 1 + rng.int(Math.min(64, b.length - at));
      const out = new Uint8Array(b.length + len);
      out.set(b.subarray(0, at + len));
      out.set(b.subarray(at), at + len);
      b = out;
    } else {
      const at = rng.int(b.length + 1);
      const extra = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256));
      const out = new Uint8Array(b.length + extra.length);
      out.set(b.subarray(0, at));
      out.set(extra, at);
      out.set(b.subarray(at), at + extra.length);
      b = out;
    }
  }
  return b;
}

function expectOnly(what: string, errors: (new (...a: never[]) => Error)[], fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (errors.some((k) => e instanceof k)) return;
    throw new Error(`${what}: unexpected ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
}

const randomBytes = (rng: Rng, max: number) =>
  Uint8Array.from({ length: rng.int(max) }, () => rng.int(256));

/** Runs an async parser; anything but its own errors (and success) is a failure. */
async function expectOnlyAsync(
  what: string,
  errors: (new (...a: never[]) => Error)[],
  fn: () => Promise<unknown>
): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (errors.some((k) => e instanceof k)) return;
    throw new Error(`${what}: unexpected ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
}

/** Fuzzers of the decoders added for issue 15 (compressed audio, WAV forms, PNG/EXIF, utterances). */
export function makeFormatFuzzers(seeds: Seeds): Fuzzer[] {
  return [
    {
      name: 'compressed audio',
      run: (rng) =>
        expectOnlyAsync('compressed audio', [AudioError], async () => {
          const seed = seeds.compressed[rng.int(seeds.compressed.length)];
          const audio = await decodeAudio(
            rng.next() < 0.95 ? mutate(seed, rng) : randomBytes(rng, 300)
          );
          for (const ch of audio.channels) {
            for (const v of ch)
              if (!(Math.abs(v) <= 1)) throw new Error(`sample ${v} outside [−1, 1]`);
          }
        })
    },
    {
      name: 'WAV forms',
      run: (rng) =>
        expectOnly('WAV forms', [WavError], () => {
          decodeWav(mutate(seeds.wav[rng.int(seeds.wav.length)], rng));
        })
    },
    {
      name: 'PNG/JPEG+EXIF',
      run: (rng) =>
        expectOnly('images', [FeatureError], () => {
          decodeImage(mutate(seeds.images[rng.int(seeds.images.length)], rng));
        })
    },
    {
      name: 'utterances',
      run: (rng) => {
        const n = 1 + rng.int(20000);
        const kind = rng.int(3);
        const x = Float32Array.from({ length: n }, (_, i) =>
          kind === 0
            ? 0
            : kind === 1
              ? 2 * rng.next() - 1
              : (i % 3000 < 800 ? 0.5 : 0.001) * Math.sin(i)
        );
        const segs = findUtterances(x, 8000 + rng.int(40000));
        let last = -1;
        for (const s of segs) {
          if (!(s.start >= 0 && s.start < s.end && s.end <= n && s.start > last)) {
            throw new Error(`utterances: bad segment ${JSON.stringify(s)} of ${n} samples`);
          }
          last = s.start;
        }
      }
    }
  ];
}

export function makeFuzzers(model?: ModelContents): Fuzzer[] {
  const wavSeeds = [
    encodeWav([Float32Array.from({ length: 400 }, (_, i) => Math.sin(i / 5))], 16000),
    encodeWav([new Float32Array(300), Float32Array.from({ length: 300 }, (_, i) => i / 300)], 44100)
  ];
  const png = encodePng({
    width: 12,
    height: 9,
    data: Uint8Array.from({ length: 12 * 9 * 3 }, (_, i) => i % 256),
    channels: 3,
    depth: 8
  });
  const jpg = new Uint8Array(
    jpeg.encode({ data: new Uint8Array(16 * 16 * 4).fill(200), width: 16, height: 16 }, 80).data
  );
  const fuzzers: Fuzzer[] = [
    {
      name: 'WAV',
      run: (rng) => {
        const input =
          rng.next() < 0.9
            ? mutate(wavSeeds[rng.int(wavSeeds.length)], rng)
            : randomBytes(rng, 200);
        expectOnly('WAV', [WavError], () => decodeWav(input));
      }
    },
    {
      name: 'PNG',
      run: (rng) =>
        expectOnly('PNG', [FeatureError], () =>
          decodeImage(rng.next() < 0.9 ? mutate(png, rng) : randomBytes(rng, 200))
        )
    },
    {
      name: 'JPEG',
      run: (rng) => expectOnly('JPEG', [FeatureError], () => decodeImage(mutate(jpg, rng)))
    },
    {
      name: 'IPC payloads',
      run: (rng) => {
        const method = rng.next() < 0.9 ? METHODS[rng.int(METHODS.length)] : `x:${rng.int(100)}`;
        const value = (depth: number): unknown => {
          switch (rng.int(depth > 2 ? 6 : 8)) {
            case 0:
              return null;
            case 1:
              return rng.int(1000) - 500;
            case 2:
              return 'a'.repeat(rng.int(300));
            case 3:
              return rng.next() < 0.5;
            case 4:
              return new Uint8Array(rng.int(10));
            case 5:
              return rng.next() * 1e9;
            case 6:
              return [value(depth + 1)];
            default:
              return { name: value(depth + 1), project: 'abcdef12', kind: 'audio' };
          }
        };
        const payload =
          rng.next() < 0.2
            ? value(0)
            : {
                project: 'abcdef1234',
                name: value(1),
                kind: value(1),
                settings: value(1),
                bytes: value(1),
                format: value(1),
                className: value(1),
                file: value(1),
                [`k${rng.int(4)}`]: value(1)
              };
        expectOnly('IPC', [ApiError], () => validateRequest(method, payload));
      }
    },
    {
      name: 'WebSocket wire',
      run: (rng) => {
        const good = '{"id":1,"method":"sample:add","payload":{"bytes":{"$bytes":"AAEC"}}}';
        const text = new TextDecoder().decode(mutate(new TextEncoder().encode(good), rng));
        expectOnly('wire', [SyntaxError, Error], () => decodeWire(text));
      }
    },
    {
      name: 'dataset scan',
      run: async (rng) => {
        const files: Record<string, Record<string, Uint8Array>> = {};
        for (let c = 0; c < 1 + rng.int(3); c++) {
          const cls = rng.next() < 0.1 ? 'background' : `c${c}`;
          files[cls] = {};
          for (let f = 0; f < rng.int(3); f++)
            files[cls][`f${f}.wav`] = rng.next() < 0.5 ? mutate(wavSeeds[0], rng) : wavSeeds[1];
        }
        const source: DatasetSource = {
          classes: async () => Object.keys(files),
          files: async (c) => Object.keys(files[c]),
          read: async (c, f) => files[c][f],
          describe: (c, f) => `${c}/${f}`
        };
        try {
          await scanDataset(source, SPEECH_LOGMEL);
        } catch (e) {
          if (!(e instanceof DatasetError))
            throw new Error(`scan: unexpected ${(e as Error).message}`);
        }
      }
    }
  ];
  if (model) {
    const bytes = encodeModel({ ...model, int: model.int ?? convertToInt(model) });
    fuzzers.push({
      name: 'model file',
      run: (rng) =>
        expectOnly('model', [ModelFileError, ConvertError, SpecError], () => {
          const b = mutate(bytes, rng);
          // Half the cases get a valid checksum, so the header and tensor checks are reached.
          if (rng.next() < 0.5 && b.length >= 4) {
            new DataView(b.buffer, b.byteOffset).setUint32(
              b.length - 4,
              crc32(b.subarray(0, b.length - 4)),
              true
            );
          }
          convertToInt(decodeModel(b));
        })
    });
  }
  return fuzzers;
}

export interface FuzzReport {
  name: string;
  cases: number;
  slowestMs: number;
  heapGrowthMB: number;
}

export async function runFuzzer(f: Fuzzer, cases: number, seed: number): Promise<FuzzReport> {
  const rng = createRng(seed);
  const heap0 = process.memoryUsage().heapUsed;
  let slowest = 0;
  for (let i = 0; i < cases; i++) {
    const t = performance.now();
    await f.run(rng);
    slowest = Math.max(slowest, performance.now() - t);
  }
  (globalThis as { gc?: () => void }).gc?.();
  return {
    name: f.name,
    cases,
    slowestMs: slowest,
    heapGrowthMB: (process.memoryUsage().heapUsed - heap0) / 2 ** 20
  };
}
