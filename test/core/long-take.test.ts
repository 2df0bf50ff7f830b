/**
 * A long take of spoken words, as the newcomer made it (espeak-ng voices, 0.6 s of digital silence
 * after each word), cut into clips the same way whatever the container, rate and channel count
 * (review finding 2: the 44.1 kHz stereo WAV and the AAC copy gave one clip more than the mono
 * WAVs, a word's fading tail cut off as a clip of its own); and a take begun or let go in the middle
 * of a word marks that word as cut (finding 1); words said slowly (1–2 s each) are one clip each, not
 * a first and a second half.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { audioClips } from '../../core/data/clips';
import { SPEECH_LOGMEL } from '../../core/features/logmel';
import { encodeWav } from '../../core/features/wav';
import { ffmpeg, read, requireTools, sox, speak } from '../fixtures/media';

const dir = mkdtempSync(join(tmpdir(), 'quench-long-take-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

const VOICES: [string, number, number][] = [
  ['en-us+f3', 150, 50],
  ['en-gb', 130, 40],
  ['en+m7', 170, 30],
  ['en-us+m3', 140, 60],
  ['en-gb-scotland', 160, 45],
  ['en-029', 120, 55],
  ['en+f2', 180, 70],
  ['en-us+f4', 140, 80]
];

/** [what, file]: the same 8 words in the containers, rates and channel counts people have. */
const COPIES: [string, string][] = [
  ['16 kHz mono WAV', 'm16.wav'],
  ['44.1 kHz stereo WAV', 'st44.wav'],
  ['44.1 kHz mono WAV (sox mixdown, dithered)', 'm44.wav'],
  ['48 kHz stereo WAV', 'st48.wav'],
  ['AAC .m4a (44.1 kHz stereo)', 'st44.m4a'],
  ['MP3 (44.1 kHz stereo)', 'st44.mp3']
];

beforeAll(() => {
  requireTools('sox', 'ffmpeg', 'espeak-ng');
  const parts = VOICES.map(([voice, speed, pitch], i) => {
    speak(at(`w${i}.wav`), 'lights', voice, speed, pitch);
    sox(at(`w${i}.wav`), '-r', '44100', '-c', '2', at(`p${i}.wav`), 'pad', '0', '0.6');
    return at(`p${i}.wav`);
  });
  sox(...parts, at('st44.wav'));
  sox(at('st44.wav'), '-c', '1', at('m44.wav'));
  sox(at('st44.wav'), '-c', '1', '-r', '16000', at('m16.wav'));
  sox(at('st44.wav'), '-r', '48000', at('st48.wav'));
  ffmpeg('-i', at('st44.wav'), '-c:a', 'aac', at('st44.m4a'));
  ffmpeg('-i', at('st44.wav'), '-c:a', 'libmp3lame', at('st44.mp3'));
}, 60_000);

const clipsOf = (file: string) => audioClips(read(at(file)), file, SPEECH_LOGMEL, false);

describe('one long take of 8 words in every container', () => {
  test('8 clips each, starting within 20 ms of the 16 kHz mono copy', async () => {
    const reference = await clipsOf('m16.wav');
    expect(reference.starts).toHaveLength(8);
    for (const [what, file] of COPIES) {
      const { starts } = await clipsOf(file);
      expect(starts, what).toHaveLength(8);
      starts.forEach((s, i) =>
        expect(Math.abs(s - reference.starts[i]) / 16000, what).toBeLessThan(0.02)
      );
    }
  });
});

describe('a take that begins or ends in the middle of a word', () => {
  test('the word at each cut edge is marked, the whole ones are not', async () => {
    const whole = (await clipsOf('m16.wav')).samples;
    // From the middle of word 2 to the middle of word 6: words 3, 4 and 5 are whole.
    const take = whole.slice(Math.round(1.75 * 16000), Math.round(7.8 * 16000));
    const cut = await audioClips(encodeWav([take], 16000), 'take', SPEECH_LOGMEL, false);
    expect(cut.cuts).toEqual(['start', undefined, undefined, undefined, 'end']);
    // The background class is cut into windows: nothing there is a word.
    const bg = await audioClips(encodeWav([take], 16000), 'take', SPEECH_LOGMEL, true);
    expect(bg.cuts.every((c) => c === undefined)).toBe(true);
  });
});

describe('a take of words said slowly (espeak-ng -s 80: 0.9–1.6 s each)', () => {
  test('10 words: 10 clips, one per word, none marked as a piece of a longer sound', async () => {
    const words = ['seventeen', 'good morning', 'refrigerator', 'hello', 'lights'];
    const parts = Array.from({ length: 10 }, (_, i) => {
      speak(at(`slow${i}.wav`), words[i % 5], 'en-us', 80);
      sox(at(`slow${i}.wav`), '-r', '16000', '-c', '1', at(`slow${i}-16k.wav`), 'pad', '0.5', '0');
      return at(`slow${i}-16k.wav`);
    });
    sox(...parts, at('slow-joined.wav'));
    sox(
      '-m',
      at('slow-joined.wav'),
      '|sox ' + at('slow-joined.wav') + ' -p synth whitenoise vol 0.001',
      at('slow.wav'),
      'pad',
      '0',
      '0.5'
    );
    const cut = await clipsOf('slow.wav');
    expect(cut.starts).toHaveLength(10);
    expect(cut.utterances).toBe(10);
    expect(cut.longSounds.every((l) => l === undefined)).toBe(true);
    expect(cut.cuts.every((c) => c === undefined)).toBe(true);
  });
});
