/**
 * Seed files for the fuzzers of the decoders added for issue 15, made by the tools that write them
 * in the wild (ffmpeg, sox, exiftool) plus the test PNG writer for the low-bit-depth cases. Small on
 * purpose: mutations then reach headers and frame boundaries often.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONVERT, ffmpeg, read, requireTools, run } from '../fixtures/media';
import { writePng } from '../fixtures/png-writer';

export interface Seeds {
  /** Compressed audio: MP3, M4A, ADTS AAC, Ogg Vorbis, Opus, FLAC, WebM, AIFF. */
  compressed: Uint8Array[];
  /** WAV in its other forms: RF64, Wave64, µ-law, A-law, 24-bit extensible, streamed. */
  wav: Uint8Array[];
  /** PNG (interlaced 1/2/4-bit, palette with alpha, colour keys) and JPEG with EXIF. */
  images: Uint8Array[];
}

export function makeSeeds(): Seeds {
  requireTools('ffmpeg', CONVERT, 'exiftool');
  const dir = mkdtempSync(join(tmpdir(), 'quench-seeds-'));
  try {
    const src = join(dir, 'src.wav');
    ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.3', '-ac', '2', '-ar', '22050', src);
    const make = (name: string, ...args: string[]) => {
      ffmpeg('-i', src, ...args, join(dir, name));
      return read(join(dir, name));
    };
    const compressed = [
      make('a.mp3', '-b:a', '32k'),
      make('b.m4a', '-c:a', 'aac', '-b:a', '32k'),
      make('c.aac', '-c:a', 'aac', '-b:a', '32k'),
      make('d.ogg', '-c:a', 'libvorbis'),
      make('e.opus', '-c:a', 'libopus', '-b:a', '16k'),
      make('f.flac'),
      make('g.webm', '-c:a', 'libopus', '-b:a', '16k'),
      make('h.aiff')
    ];
    const wav = [
      make('rf64.wav', '-rf64', 'always'),
      make('w64.w64', '-f', 'w64'),
      make('mu.wav', '-c:a', 'pcm_mulaw'),
      make('a.wav', '-c:a', 'pcm_alaw'),
      make('s24.wav', '-c:a', 'pcm_s24le', '-ac', '3'),
      new Uint8Array(ffmpeg('-i', src, '-f', 'wav', '-'))
    ];
    run(CONVERT, ['-size', '16x12', 'gradient:red-blue', '-quality', '80', join(dir, 'x.jpg')]);
    run('exiftool', ['-q', '-overwrite_original', '-Orientation=6', '-n', join(dir, 'x.jpg')]);
    const images: Uint8Array[] = [read(join(dir, 'x.jpg'))];
    for (const [ct, depth, trns] of [
      [0, 1, undefined],
      [0, 2, [1]],
      [3, 4, [10, 200, 0]],
      [2, 8, [1, 2, 3]]
    ] as const) {
      const ch = ct === 2 ? 3 : 1;
      images.push(
        writePng({
          width: 9,
          height: 7,
          colorType: ct,
          depth,
          interlace: 1,
          samples: Array.from({ length: 63 * ch }, (_, i) => (i * 7) % 2 ** Math.min(depth, 3)),
          palette:
            ct === 3 ? Array.from({ length: 8 }, (_, i) => [i * 30, 255 - i * 30, 9]) : undefined,
          trns: trns ? [...trns] : undefined,
          filter: (r) => r % 5
        })
      );
    }
    return { compressed, wav, images };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
