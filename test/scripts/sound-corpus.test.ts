/**
 * The synthesised keyword-base corpus (scripts/base/sound-corpus.ts), made small: its layout and
 * formats, no evaluation word anywhere, the same seed giving the same corpus, resuming, a killed
 * run leaving no partial file, and Quench's own scanner reading its words folder.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scanDataset } from '../../core/data/dataset';
import { SPEECH_LOGMEL } from '../../core/features/logmel';
import { decodeWav } from '../../core/features/wav';
import { folderSource } from '../../electron/main/services/fs-dataset';
import {
  EVALUATION_WORDS,
  FUNCTION_WORDS,
  isEvaluationWord
} from '../../scripts/base/corpus-words';
import {
  isValidWav,
  makeSoundCorpus,
  type SoundCorpusManifest
} from '../../scripts/base/sound-corpus';
import { requireTools } from '../fixtures/media';

const root = mkdtempSync(join(tmpdir(), 'quench-corpus-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SMALL = { seed: 11, words: 4, takesPerWord: 3, phrases: 3, backgrounds: 2, workers: 2 };
const a = join(root, 'a');
const b = join(root, 'b');
let manifest: SoundCorpusManifest;
let progress: [number, number, number][] = [];

/** Every file under `dir`, as paths relative to it. */
function walk(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(dir, join(prefix, e.name)) : [join(prefix, e.name)]
  );
}

function read(file: string): { seconds: number; x: Float32Array; bits: number } {
  const bytes = new Uint8Array(readFileSync(file));
  const audio = decodeWav(bytes, file);
  expect(audio.warnings ?? []).toEqual([]);
  expect(audio.sampleRate).toBe(16000);
  expect(audio.channels).toHaveLength(1);
  const bits = new DataView(bytes.buffer, bytes.byteOffset).getUint16(34, true);
  const x = audio.channels[0];
  return { seconds: x.length / 16000, x, bits };
}

const db = (v: number) => 20 * Math.log10(v);
const peakOf = (x: Float32Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const rmsOf = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);

beforeAll(async () => {
  requireTools('sox', 'espeak-ng', 'flite');
  progress = [];
  manifest = await makeSoundCorpus({
    ...SMALL,
    out: a,
    onProgress: (done, total, eta) => progress.push([done, total, eta])
  });
}, 120_000);

describe('a small corpus', () => {
  test('has the layout and formats of the dataset-folder contract', () => {
    const files = walk(a).sort();
    const words = manifest.words;
    expect(words).toHaveLength(4);
    const expected = [
      ...words.flatMap((w) => ['000', '001', '002'].map((n) => `words/${w}/${n}.wav`)),
      ...['000', '001', '002'].map((n) => `speech/${n}.wav`),
      'background/babble-00.wav',
      'background/silence-01.wav',
      'manifest.json'
    ].sort();
    // Every take of these short words fits; a dropped one would be listed in the manifest.
    expect(manifest.counts.takesDropped).toBe(0);
    expect(files).toEqual(expected);
    for (const f of files.filter((f) => f.startsWith('words/'))) {
      const { seconds, x, bits } = read(join(a, f));
      expect(bits).toBe(16);
      expect(seconds).toBeLessThanOrEqual(1.0);
      expect(seconds).toBeGreaterThan(0.15);
      const p = db(peakOf(x));
      expect(p).toBeGreaterThan(-30.2);
      expect(p).toBeLessThan(-0.9);
    }
    for (const f of files.filter((f) => f.startsWith('speech/'))) {
      const { seconds } = read(join(a, f));
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThanOrEqual(4);
    }
    for (const f of files.filter((f) => f.startsWith('background/'))) {
      const { seconds, x } = read(join(a, f));
      expect(seconds).toBeGreaterThanOrEqual(10);
      expect(seconds).toBeLessThanOrEqual(30);
      if (f.includes('silence')) {
        expect(db(rmsOf(x))).toBeGreaterThan(-60.5);
        expect(db(rmsOf(x))).toBeLessThan(-44.5);
      }
    }
    const babble = manifest.background[0]!;
    expect(babble.talkers!.length).toBeGreaterThanOrEqual(6);
    expect(new Set(babble.talkers!.map((t) => JSON.stringify(t.tts))).size).toBeGreaterThan(1);
  });

  test('records the recipe, tool versions, counts and time in an atomically written manifest', () => {
    const onDisk = JSON.parse(
      readFileSync(join(a, 'manifest.json'), 'utf8')
    ) as SoundCorpusManifest;
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(manifest)));
    expect(onDisk.complete).toBe(true);
    expect(onDisk.seed).toBe(11);
    expect(onDisk.tools['espeak-ng']).toMatch(/eSpeak NG.*\d+\.\d+/);
    expect(onDisk.tools.flite).toMatch(/flite-\d/);
    expect(onDisk.tools.sox).toMatch(/SoX v\d/);
    expect(onDisk.counts).toMatchObject({ takes: 12, phrases: 3, background: 2 });
    expect(onDisk.counts.bytes).toBeGreaterThan(0);
    expect(onDisk.seconds).toBeGreaterThan(0);
    expect(onDisk.takes.every((t) => t && t.seconds! <= 1 && t.plan.tts)).toBe(true);
    // No temp folder or temp file is left behind.
    expect(existsSync(join(a, '.tmp'))).toBe(false);
    expect(progress.at(-1)?.slice(0, 2)).toEqual([17, 17]);
    expect(progress.every(([, total]) => total === 17)).toBe(true);
  });

  test('holds no evaluation word, as a class or inside a phrase', () => {
    for (const w of ['lights', 'music', 'stop', 'light', 'lamp', 'play', 'pause', 'next']) {
      expect(EVALUATION_WORDS).toContain(w);
    }
    const required = ['hello', 'yes', 'no', 'up', 'down', 'left', 'right', 'on', 'off', 'go'];
    const numbers = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
    for (const w of [...required, ...numbers]) expect(EVALUATION_WORDS).toContain(w);
    for (const w of ['stopped', 'playing', 'lamps', 'paused', 'yups', 'writes', 'tens']) {
      expect(isEvaluationWord(w)).toBe(true);
    }
    for (const w of FUNCTION_WORDS) expect(isEvaluationWord(w)).toBe(false);
    expect(manifest.words.filter(isEvaluationWord)).toEqual([]);
    expect(manifest.excludedWords).toContain('stopping');
    for (const p of manifest.phrases) {
      const tokens = p!.text.replace(/\./g, '').split(' ');
      expect(tokens.length).toBeGreaterThanOrEqual(3);
      expect(tokens.filter(isEvaluationWord)).toEqual([]);
      expect(tokens.filter((t) => manifest.words.includes(t))).toEqual([]);
    }
    for (const talker of manifest.background[0]!.talkers!) expect(talker.words).toBeGreaterThan(0);
  });

  test('is made again bit for bit from the same seed, and differently from another', async () => {
    const again = await makeSoundCorpus({ ...SMALL, out: b, workers: 1 });
    expect(again.words).toEqual(manifest.words);
    expect(again.takes.map((t) => t?.plan)).toEqual(manifest.takes.map((t) => t?.plan));
    expect(again.phrases.map((t) => t?.text)).toEqual(manifest.phrases.map((t) => t?.text));
    for (const f of walk(a).filter((f) => f.endsWith('.wav'))) {
      expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
    }
    const other = await makeSoundCorpus({ ...SMALL, seed: 12, out: join(root, 'c') });
    expect(other.words).not.toEqual(manifest.words);
  }, 120_000);

  test('a rerun keeps every file, and a folder of another seed is refused', async () => {
    const times = new Map(walk(a).map((f) => [f, statSync(join(a, f)).mtimeMs]));
    const rerun = await makeSoundCorpus({ ...SMALL, out: a });
    const run = rerun.runs.at(-1)!;
    expect(rerun.runs).toHaveLength(2);
    expect(run).toMatchObject({ made: 0, kept: 17 });
    for (const [f, t] of times) {
      if (f !== 'manifest.json') expect(statSync(join(a, f)).mtimeMs, f).toBe(t);
    }
    await expect(makeSoundCorpus({ ...SMALL, seed: 99, out: a })).rejects.toThrow(
      /manifest\.json: this folder holds a corpus of seed 11/
    );
    expect(walk(a).sort()).toEqual([...times.keys()].sort());
    await expect(makeSoundCorpus({ ...SMALL, words: 0, out: join(root, 'd') })).rejects.toThrow(
      /words must be a whole number from 1/
    );
  }, 60_000);

  test("is read by Quench's scanner as one class per word", async () => {
    const scan = await scanDataset(folderSource(join(a, 'words')), SPEECH_LOGMEL);
    expect(scan.labels).toEqual([...manifest.words].sort());
    expect(scan.counts).toEqual([3, 3, 3, 3]);
    expect(scan.problems).toEqual([]);
    expect(scan.ignored).toEqual([]);
  });
});

test('a killed run leaves no partial file, and a rerun completes it', async () => {
  const out = join(root, 'killed');
  const sizes = { seed: 5, words: 6, takesPerWord: 30, phrases: 2, backgrounds: 1 };
  const args = ['--import', 'tsx', 'scripts/base/make-sound-corpus.ts', '--out', out];
  const flags = [
    '--seed',
    '5',
    '--words',
    '6',
    '--takes',
    '30',
    '--phrases',
    '2',
    '--backgrounds',
    '1',
    // A checkpoint every 20 ms: one holding a few takes comes long before the run ends, however
    // fast the machine.
    '--checkpoint-ms',
    '20'
  ];
  const child = spawn(process.execPath, [...args, ...flags], { detached: true, stdio: 'ignore' });
  const wavs = () =>
    existsSync(join(out, 'words'))
      ? walk(join(out, 'words')).filter((f) => f.endsWith('.wav'))
      : [];
  const recorded = (): number => {
    try {
      const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as SoundCorpusManifest;
      return m.takes.filter(Boolean).length;
    } catch {
      return 0;
    }
  };
  // Killed once a checkpoint holds some takes, in the middle of making the rest.
  const started = Date.now();
  while (recorded() < 3 && Date.now() - started < 60_000) {
    await new Promise((r) => setTimeout(r, 20));
  }
  process.kill(-child.pid!, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 300));
  const present = wavs();
  expect(present.length).toBeGreaterThanOrEqual(3);
  expect(present.length).toBeLessThan(180);
  // Only whole WAV files in the class folders; anything half-written is in out/.tmp.
  for (const dir of ['words', 'speech', 'background']) {
    for (const f of walk(join(out, dir))) {
      expect(f.endsWith('.wav'), f).toBe(true);
      expect(await isValidWav(join(out, dir, f)), f).toBe(true);
    }
  }
  const done = await makeSoundCorpus({ out, ...sizes });
  expect(done.complete).toBe(true);
  expect(done.counts.takes + done.counts.takesDropped).toBe(180);
  expect(done.runs).toHaveLength(2);
  expect(done.runs[1].kept).toBeGreaterThanOrEqual(3);
  expect(done.runs[1].made + done.runs[1].kept).toBe(183);
  expect(wavs()).toHaveLength(done.counts.takes);
}, 120_000);
