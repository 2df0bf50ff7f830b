/**
 * Audio files as people have them (issue 15, kinds 2, 3 and 5), made by ffmpeg and sox from one
 * spoken stereo recording, decoded by Quench and compared with what ffmpeg or sox decode from the
 * same file:
 * - compressed formats: same channel count and rate, same length (within the stated samples), and
 *   a signal-to-difference ratio above the stated floor (different decoder implementations of a
 *   lossy codec agree to about 1e-4, i.e. ≥ 60 dB; lossless ones are exact);
 * - WAV variants: sample-exact against sox (G.711, PCM widths, float, RF64, Wave64, streamed and
 *   truncated files), with the warnings a person needs;
 * - codecs not read: a message naming the codec and the ffmpeg command.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeAudio } from '../../core/features/audio';
import { AudioError } from '../../core/features/audio-error';
import { mixToMono } from '../../core/features/mixdown';
import { decodeWav, WavError } from '../../core/features/wav';
import {
  ffmpeg,
  ffmpegSamples,
  maxAbsDiff,
  put,
  read,
  requireTools,
  snrDb,
  sox,
  soxSamples,
  speak
} from '../fixtures/media';

const dir = mkdtempSync(join(tmpdir(), 'quench-audio-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

beforeAll(() => {
  requireTools('sox', 'ffmpeg', 'espeak-ng');
  speak(at('word.wav'), 'seven, yes', 'en-us+f3');
  // Stereo 44.1 kHz with channels that differ (right is quieter and delayed), so a swapped or
  // averaged channel would show.
  sox(at('word.wav'), '-r', '44100', at('left.wav'));
  sox(at('left.wav'), at('right.wav'), 'vol', '0.6', 'delay', '0.01');
  sox('-M', at('left.wav'), at('right.wav'), at('src.wav'), 'trim', '0', '1.2');
  sox(at('word.wav'), '-r', '48000', '-c', '1', at('src48m.wav'));
  sox(at('src.wav'), '-r', '48000', at('src48.wav'));
});

/** [name, file, ffmpeg args, source, length tolerance in samples]. */
const COMPRESSED: [string, string, string[], string, number][] = [
  ['MP3 (LAME, CBR 128 kb/s)', 'a.mp3', ['-c:a', 'libmp3lame', '-b:a', '128k'], 'src.wav', 0],
  [
    'MP3 (LAME VBR, ID3v2 tag)',
    'b.mp3',
    ['-c:a', 'libmp3lame', '-q:a', '4', '-metadata', 'title=seven'],
    'src.wav',
    0
  ],
  ['M4A (AAC-LC, a phone voice memo)', 'c.m4a', ['-c:a', 'aac', '-b:a', '96k'], 'src48m.wav', 0],
  ['M4A (Apple Lossless)', 'd.m4a', ['-c:a', 'alac'], 'src.wav', 0],
  // ADTS carries no encoder-delay field: the length rounds up to whole 1024-sample frames.
  ['AAC (ADTS stream)', 'e.aac', ['-c:a', 'aac'], 'src.wav', 1024],
  ['Ogg Vorbis', 'f.ogg', ['-c:a', 'libvorbis'], 'src.wav', 0],
  ['Ogg Opus', 'g.opus', ['-c:a', 'libopus'], 'src48m.wav', 0],
  ['FLAC', 'h.flac', [], 'src.wav', 0],
  ['FLAC in Ogg', 'i.oga', ['-c:a', 'flac'], 'src.wav', 0],
  ['WebM/Opus (a browser recording)', 'j.webm', ['-c:a', 'libopus'], 'src48.wav', 0],
  // Matroska keeps no end trimming for Vorbis: the last block's padding stays, as in ffmpeg.
  ['WebM/Vorbis', 'k.webm', ['-c:a', 'libvorbis'], 'src.wav', 1024],
  ['AIFF', 'l.aiff', [], 'src.wav', 0]
];

const LOSSLESS = /ALAC|Lossless|FLAC|AIFF/;

describe('compressed formats decode as faithfully as ffmpeg decodes them', () => {
  // Against the original: channels, rate, length (gapless: encoder delay and padding removed),
  // alignment (lag 0) and fidelity within 1 dB of ffmpeg's own decoder of the same file; lossless
  // formats equal the original to within one 16-bit step (decoders scale by 32767 or 32768).
  test.each(COMPRESSED)('%s', async (name, file, args, source, slack) => {
    ffmpeg('-i', at(source), ...args, at(file));
    const ours = await decodeAudio(read(at(file)), file);
    const original = soxSamples(at(source), source === 'src48m.wav' ? 1 : 2);
    const ref = ffmpegSamples(at(file), original.length);
    expect(ours.channels.length).toBe(original.length);
    expect(ours.sampleRate).toBe(
      /opus/i.test(args.join(' ')) ? 48000 : source === 'src.wav' ? 44100 : 48000
    );
    const n = original[0].length;
    expect(ours.channels[0].length - n).toBeGreaterThanOrEqual(0);
    expect(ours.channels[0].length - n).toBeLessThanOrEqual(slack);
    for (let c = 0; c < original.length; c++) {
      if (LOSSLESS.test(name)) {
        expect(maxAbsDiff(ours.channels[c], original[c])).toBeLessThanOrEqual(1 / 32767);
        continue;
      }
      // ffmpeg leaves the encoder delay in raw AAC; compare it where it lines up with the original.
      const lag = /ADTS/.test(name) ? 1024 : 0;
      const theirs = snrDb(ref[c].subarray(lag), original[c]);
      expect(snrDb(ours.channels[c], original[c])).toBeGreaterThanOrEqual(theirs - 1);
      expect(snrDb(ours.channels[c], original[c])).toBeGreaterThanOrEqual(10);
    }
  });

  const REFUSED: [string, string, string[], RegExp][] = [
    ['WMA', 'x.wma', ['-c:a', 'wmav2'], /Windows Media Audio \(WMA\) is not decoded/],
    ['AC-3', 'x.ac3', ['-c:a', 'ac3'], /Dolby AC-3 is not decoded/],
    ['IMA ADPCM in WAV', 'ima.wav', ['-c:a', 'adpcm_ima_wav'], /IMA ADPCM audio inside a WAV/],
    [
      'Microsoft ADPCM in WAV',
      'ms.wav',
      ['-c:a', 'adpcm_ms'],
      /Microsoft ADPCM audio inside a WAV/
    ],
    ['GSM 6.10 in WAV', 'gsm.wav', ['-c:a', 'libgsm_ms', '-ar', '8000', '-ac', '1'], /GSM 6\.10/]
  ];
  test.each(REFUSED)(
    '%s is refused, naming the codec and the ffmpeg command',
    async (_n, file, args, why) => {
      ffmpeg('-i', at('src.wav'), ...args, at(file));
      const attempt = decodeAudio(read(at(file)), `/some/where/${file}`);
      await expect(attempt).rejects.toThrow(AudioError);
      await expect(attempt).rejects.toThrow(why);
      await expect(attempt).rejects.toThrow(
        `ffmpeg -i ${file} -ac 1 -ar 16000 -c:a pcm_s16le ${file.replace(/\.\w+$/, '')}-16k.wav`
      );
    }
  );

  test('a damaged MP3 is refused with a clear message, never a crash', async () => {
    ffmpeg('-i', at('src.wav'), '-c:a', 'libmp3lame', at('bad.mp3'));
    const b = read(at('bad.mp3'));
    const damaged = b.slice(0, 200);
    const r = await decodeAudio(damaged, 'bad.mp3').then(
      (a) => a.channels[0].length,
      (e: unknown) => e
    );
    // Either the few frames present or an AudioError: both are what a player does.
    if (typeof r !== 'number') expect(r).toBeInstanceOf(AudioError);
    await expect(decodeAudio(new TextEncoder().encode('just text'), 'notes.wav')).rejects.toThrow(
      /not an audio file Quench reads/
    );
    await expect(decodeAudio(new Uint8Array(0), 'empty.wav')).rejects.toThrow(/empty \(0 bytes\)/);
  });
});

/** sox-decoded samples of a WAV made by `make`, compared with ours sample for sample. */
async function sameAsSox(file: string, tolerance = 0) {
  const ours = decodeWav(read(file), file);
  const ref = soxSamples(file, ours.channels.length);
  expect(ours.channels[0].length).toBe(ref[0].length);
  for (let c = 0; c < ref.length; c++) {
    expect(maxAbsDiff(ours.channels[c], ref[c])).toBeLessThanOrEqual(tolerance);
  }
  return ours;
}

describe('WAV as other tools write it', () => {
  const ENCODINGS: [string, string[], number][] = [
    ['G.711 µ-law (sox -e u-law)', ['-e', 'u-law'], 0],
    ['G.711 A-law (sox -e a-law)', ['-e', 'a-law'], 0],
    ['8-bit unsigned', ['-b', '8', '-e', 'unsigned-integer'], 0],
    ['24-bit', ['-b', '24'], 1e-7],
    ['32-bit integer', ['-b', '32', '-e', 'signed-integer'], 1e-7],
    ['32-bit float', ['-b', '32', '-e', 'floating-point'], 0],
    ['64-bit float', ['-b', '64', '-e', 'floating-point'], 1e-7]
  ];
  test.each(ENCODINGS)('%s equals what sox reads', async (name, args, tol) => {
    const file = at(`enc-${name.replace(/\W+/g, '_')}.wav`);
    sox(at('src.wav'), ...args, file);
    await sameAsSox(file, tol);
  });

  test('µ-law written by ffmpeg (pcm_mulaw), 6 channels (WAVE_FORMAT_EXTENSIBLE) and 8 kHz', async () => {
    ffmpeg('-i', at('src.wav'), '-c:a', 'pcm_mulaw', '-ar', '8000', at('ffmu.wav'));
    await sameAsSox(at('ffmu.wav'));
    ffmpeg(
      '-i',
      at('src.wav'),
      '-af',
      'pan=5.1|c0=c0|c1=c1|c2=c0|c3=c1|c4=c0|c5=c1',
      at('six.wav')
    );
    const six = await sameAsSox(at('six.wav'));
    expect(six.channels).toHaveLength(6);
  });

  test('ffmpeg writing to a pipe (0xFFFFFFFF sizes) reads in full, with no warning', async () => {
    const piped = ffmpeg('-i', at('src.wav'), '-f', 'wav', '-');
    const view = new DataView(piped.buffer, piped.byteOffset);
    expect(view.getUint32(4, true)).toBe(0xffffffff); // what makes other readers fail
    const ours = decodeWav(new Uint8Array(piped), 'piped.wav');
    const ref = soxSamples(at('src.wav'), 2);
    expect(ours.channels[0].length).toBe(ref[0].length);
    expect(maxAbsDiff(ours.channels[1], ref[1])).toBe(0);
    expect(ours.warnings).toBeUndefined();
  });

  test('a recorder killed mid-write: sizes larger than the file; the samples present, with a warning', async () => {
    const full = read(at('src.wav'));
    const cut = put(at('killed.wav'), full.slice(0, 44 + 4 * 20000 + 3)); // mid-frame, too
    const ours = await sameAsSox(cut);
    expect(ours.channels[0].length).toBe(20000);
    expect(ours.warnings).toEqual([
      expect.stringMatching(/ended early: the header promises 1\.20 s, 0\.45 s were read/)
    ]);
  });

  test('sizes never filled in (0) read to the end of the file', async () => {
    const b = read(at('src.wav')).slice();
    const v = new DataView(b.buffer);
    v.setUint32(4, 0, true);
    v.setUint32(40, 0, true);
    const ours = decodeWav(b, 'zero.wav');
    expect(ours.channels[0].length).toBe(soxSamples(at('src.wav'), 2)[0].length);
  });

  test('RF64 (ffmpeg -rf64 always) and Sony Wave64 (ffmpeg -f w64) equal the plain file', async () => {
    ffmpeg('-i', at('src.wav'), '-rf64', 'always', at('rf64.wav'));
    ffmpeg('-i', at('src.wav'), '-f', 'w64', at('w64.w64'));
    const ref = soxSamples(at('src.wav'), 2);
    for (const f of ['rf64.wav', 'w64.w64']) {
      const ours = await decodeAudio(read(at(f)), f);
      expect(ours.channels[0].length).toBe(ref[0].length);
      expect(maxAbsDiff(ours.channels[0], ref[0])).toBe(0);
      expect(maxAbsDiff(ours.channels[1], ref[1])).toBe(0);
    }
  });

  test('metadata chunks (LIST, JUNK), chunk order, missing pad bytes and trailing tags', async () => {
    ffmpeg('-i', at('src.wav'), '-metadata', 'title=seven', '-write_bext', '1', at('meta.wav'));
    await sameAsSox(at('meta.wav'));
    const plain = read(at('src.wav'));
    const fmt = plain.subarray(12, 36);
    const data = plain.subarray(36);
    const junk = Uint8Array.of(
      ...'JUNK'.split('').map((c) => c.charCodeAt(0)),
      3,
      0,
      0,
      0,
      1,
      2,
      3
    );
    const riff = (...parts: Uint8Array[]) => {
      const body = parts.reduce((n, p) => n + p.length, 0);
      const out = new Uint8Array(12 + body);
      out.set(plain.subarray(0, 12));
      new DataView(out.buffer).setUint32(4, 4 + body, true);
      let o = 12;
      for (const p of parts) out.set(p, (o += p.length) - p.length);
      return out;
    };
    const ref = decodeWav(plain);
    // data before fmt; an odd JUNK chunk without its pad byte; an ID3 tag after the RIFF.
    for (const b of [
      riff(data, fmt),
      riff(junk, fmt, data),
      (() => {
        const r = riff(fmt, data);
        const tagged = new Uint8Array(r.length + 20);
        tagged.set(r);
        tagged.set(new TextEncoder().encode('ID3\u0003\u0000garbage-tag'), r.length);
        return tagged;
      })()
    ]) {
      const ours = decodeWav(b);
      expect(ours.channels[1]).toEqual(ref.channels[1]);
    }
  });

  test('a data chunk ending inside a frame drops the partial frame, with a warning', () => {
    const b = read(at('src.wav'));
    const v = new DataView(b.buffer, b.byteOffset);
    const odd = b.slice(0, b.length - 1);
    new DataView(odd.buffer).setUint32(40, v.getUint32(40, true) - 1, true);
    new DataView(odd.buffer).setUint32(4, odd.length - 8, true);
    const ours = decodeWav(odd);
    expect(ours.channels[0].length).toBe((b.length - 44) / 4 - 1);
    expect(ours.warnings?.[0]).toMatch(/ends inside a frame/);
  });

  test('text renamed .wav and a 0-byte file are refused clearly', () => {
    expect(() => decodeWav(new TextEncoder().encode('hello, this is a text file'))).toThrow(
      WavError
    );
    expect(() => decodeWav(new Uint8Array(0))).toThrow(/too short/);
  });
});

describe('mono mixes that would lose the signal (kind 5)', () => {
  test('stereo whose right channel is the left inverted: the left channel, with a warning', async () => {
    sox(at('word.wav'), at('inverted.wav'), 'remix', '1', '1i');
    const audio = decodeWav(read(at('inverted.wav')));
    const plainAverage = audio.channels[0].map((v, i) => (v + audio.channels[1][i]) / 2);
    expect(Math.max(...plainAverage.map(Math.abs))).toBe(0); // what averaging would give
    const mix = mixToMono(audio);
    const [ref] = soxSamples(at('inverted.wav'), 1, ['remix', '1']);
    expect(maxAbsDiff(mix.samples, ref)).toBe(0);
    expect(mix.warning).toMatch(/channels cancel .* the left channel was used alone/);
  });

  test('the louder channel is the one kept (right, partly cancelling at −0.9)', () => {
    sox(at('word.wav'), at('inv2.wav'), 'remix', '1v0.9', '1i');
    const mix = mixToMono(decodeWav(read(at('inv2.wav'))));
    const [ref] = soxSamples(at('inv2.wav'), 1, ['remix', '2']);
    expect(maxAbsDiff(mix.samples, ref)).toBe(0);
    expect(mix.warning).toMatch(/right channel/);
  });

  test('ordinary stereo and one-sided stereo are averaged as sox does, without a warning', () => {
    for (const [name, remix] of [
      ['st.wav', ['remix', '1', '1v0.5']],
      ['onesided.wav', ['remix', '1', '0']]
    ] as const) {
      sox(at('word.wav'), at(name), ...remix);
      const mix = mixToMono(decodeWav(read(at(name))));
      const [ref] = soxSamples(at(name), 1, ['remix', '1v0.5,2v0.5']);
      expect(maxAbsDiff(mix.samples, ref)).toBeLessThan(1e-4);
      expect(mix.warning).toBeUndefined();
    }
  });
});
