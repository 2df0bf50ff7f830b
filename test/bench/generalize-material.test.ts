/**
 * The `generalize` benchmark's material generator on a tiny set (2 takes a word, a 24 s living
 * room): the dataset layout, label times against the energy in the WAV, held-out voices apart from
 * the user's, and festival + sox only (espeak-ng and flite train the keyword base).
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../../core/features/wav';
import { makeGeneralizeMaterial, RATE, UNSEEN_VOICES, type Manifest } from './generalize-material';

const root = mkdtempSync(join(tmpdir(), 'quench-gen-material-'));
const out = join(root, 'material');
const mark = join(root, 'called');
let manifest: Manifest;
const savedPath = process.env.PATH;

beforeAll(() => {
  // Stand-ins for the base's synthesisers, first on PATH: any call, direct or through another
  // program, leaves a mark.
  const shim = join(root, 'shim');
  mkdirSync(shim);
  for (const name of ['espeak-ng', 'espeak', 'flite', 'flite_time']) {
    writeFileSync(join(shim, name), `#!/bin/sh\necho ${name} >> '${mark}'\nexit 1\n`);
    chmodSync(join(shim, name), 0o755);
  }
  process.env.PATH = `${shim}:${savedPath}`;
  try {
    manifest = makeGeneralizeMaterial({
      out,
      seed: 3,
      takesPerWord: 2,
      backgroundSeconds: 2,
      heldOutPerWord: 2,
      unseenVoices: 2,
      livingSeconds: 24,
      livingKeywords: 3,
      livingSentences: 1,
      babbleSentences: 2,
      quietSeconds: 2
    });
  } finally {
    process.env.PATH = savedPath;
  }
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

function samplesOf(file: string): Float32Array {
  const d = decodeWav(new Uint8Array(readFileSync(join(out, file))), file);
  expect(d.sampleRate).toBe(RATE);
  return d.channels[0];
}

function rms(x: Float32Array, from: number, to: number): number {
  let s = 0;
  const a = Math.max(0, Math.round(from * RATE));
  const b = Math.min(x.length, Math.round(to * RATE));
  for (let i = a; i < b; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, b - a));
}

describe('generalize material', () => {
  it('writes the dataset-folder layout quench train reads', () => {
    expect(readdirSync(join(out, 'project')).sort()).toEqual([
      'background',
      'lights',
      'music',
      'stop'
    ]);
    for (const w of ['lights', 'music', 'stop'])
      expect(readdirSync(join(out, 'project', w))).toHaveLength(2);
    expect(samplesOf(manifest.background).length).toBe(2 * RATE);
    expect(manifest.heldOut).toHaveLength(6);
    for (const t of [...manifest.projectTakes, ...manifest.heldOut]) {
      expect(existsSync(join(out, t.file))).toBe(true);
      expect(t.snrDb).toBeGreaterThan(5);
    }
  });

  it('keeps the held-out and living-room voices apart from the user’s', () => {
    const user = new Set(manifest.projectTakes.map((t) => t.festivalVoice));
    expect([...user].sort()).toEqual(['cmu_us_slt_arctic_hts', 'kal_diphone']);
    const unseen = [...manifest.heldOut, ...manifest.living.keywords];
    for (const t of unseen) {
      expect(user.has(t.festivalVoice)).toBe(false);
      expect(UNSEEN_VOICES.map((v) => v.id)).toContain(t.voice);
    }
    expect(new Set(manifest.heldOut.map((t) => t.voice)).size).toBe(2);
  });

  it('runs festival and sox only, never espeak-ng or flite', () => {
    const programs = new Set(manifest.commands.map((c) => c[0]));
    expect([...programs].sort()).toEqual(['sox', 'text2wave']);
    expect(manifest.commands.some((c) => /espeak|flite/.test(c.join(' ')))).toBe(false);
    expect(existsSync(mark)).toBe(false);
  });

  it('labels each keyword where its energy is in the living-room WAV', () => {
    const x = samplesOf(manifest.living.wav);
    expect(x.length).toBe(24 * RATE);
    const lines = readFileSync(join(out, manifest.living.labels), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    const events = lines.map((l) => {
      const [start, end, label] = l.split('\t');
      return { start: Number(start), end: Number(end), label };
    });
    expect(events.map((e) => e.label).sort()).toEqual(['lights', 'music', 'stop']);
    // Everything but the events (keywords and sentences, with a margin): fan and babble.
    const spans = [...events, ...manifest.living.speech].map((e) => [e.start - 0.3, e.end + 0.3]);
    let s = 0;
    let n = 0;
    for (let i = 0; i < x.length; i++) {
      const t = i / RATE;
      if (spans.some(([a, b]) => t >= a && t <= b)) continue;
      s += x[i] * x[i];
      n++;
    }
    const floor = Math.sqrt(s / n);
    for (const e of events) {
      // The labelled stretch is at least 12 dB over the room, the second before it is not.
      expect(rms(x, e.start, e.end)).toBeGreaterThan(4 * floor);
      expect(rms(x, e.start - 1, e.start - 0.1)).toBeLessThan(2 * floor);
      // Its loud frames (10 dB over the room) begin and end within the label.
      const loud: number[] = [];
      for (let t = e.start - 1; t < e.end + 1; t += 0.01)
        if (rms(x, t, t + 0.01) > 3.16 * floor) loud.push(t);
      expect(loud[0]).toBeGreaterThanOrEqual(e.start - 0.02);
      expect(loud[0]).toBeLessThan(e.start + 0.3);
      expect(loud.at(-1)!).toBeLessThanOrEqual(e.end + 0.02);
      expect(loud.at(-1)!).toBeGreaterThan(e.end - 0.6);
    }
  });

  it('writes a quiet room at about −50 dBFS', () => {
    const x = samplesOf(manifest.quiet.wav);
    const level = 20 * Math.log10(rms(x, 0, x.length / RATE));
    expect(level).toBeGreaterThan(-51);
    expect(level).toBeLessThan(-49);
  });
});
