/**
 * `quench stream` and `quench export --input raw` on the bundled demo model (yes / no /
 * background): a recording of spoken words at known times replays through the live path — the
 * same detections core's LivePath gives in-process — and is scored against its label file; usage
 * and input errors exit 2 and 1 naming the problem.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LivePath } from '../../core/live/live-path';
import { recordingSamples, replay } from '../../core/live/replay';
import { parseLabels, scoreDetections } from '../../core/live/score';
import { decodeModel, encodeModel } from '../../core/model-file/model-file';
import { encodeWav } from '../../core/features/wav';
import { wordStream, type WordStream } from '../fixtures/word-stream';
import { quench } from './run-cli';

const MODEL = join(import.meta.dirname, '..', '..', 'models', 'demo-words.qnm');
const root = mkdtempSync(join(tmpdir(), 'quench-stream-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const VOICES = ['en-us', 'en-gb', 'en-us+f3', 'en+m3', 'en-us+f5', 'en-gb-x-rp+m5'];
let stream: WordStream;
const wav = join(root, 'words.wav');
const labels = join(root, 'words.tsv');

beforeAll(() => {
  // 12 words over 36 s: yes, no, yes, no, … and a "maybe" the model does not know every fifth.
  const script = Array.from({ length: 12 }, (_, i) => ({
    word: ['yes', 'no', 'yes', 'no', 'maybe'][i % 5],
    at: 1.5 + i * 2.8 + (i % 3) * 0.2,
    voice: VOICES[i % VOICES.length]
  }));
  stream = wordStream(script, 36);
  writeFileSync(wav, stream.wav);
  // A person's label file marks the words the model knows.
  writeFileSync(
    labels,
    stream.labels
      .split('\n')
      .filter((l) => !l.endsWith('maybe'))
      .join('\n')
  );
});

describe('quench stream', () => {
  test('one line per detection: seconds, class, probability — the live path’s detections', async () => {
    const r = await quench('stream', '--model', MODEL, '--audio', wav);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split('\n');
    for (const l of lines) expect(l).toMatch(/^\d+\.\d{3}\t(yes|no)\t(0\.\d{4}|1\.0000)$/);
    const contents = decodeModel(new Uint8Array(readFileSync(MODEL)));
    // The file as any reader gets it (16-bit samples), through the live path in-process.
    const { samples } = await recordingSamples(stream.wav, 'words.wav', 16000);
    const timeline = replay(new LivePath(contents), samples);
    expect(lines).toEqual(
      timeline.detections.map(
        (d) => `${d.time.toFixed(3)}\t${d.label}\t${d.probability.toFixed(4)}`
      )
    );
    // Windows every 0.5 s: detection times are window ends, 0.992 s + k · 0.5 s.
    for (const d of timeline.detections) {
      const k = (d.time - 0.992) / 0.5;
      expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-6);
    }
    expect(lines.length).toBeGreaterThanOrEqual(6);
  });

  test('--labels --json: hits, misses and false alarms per hour, as scored in core', async () => {
    const r = await quench(
      'stream',
      '--model',
      MODEL,
      '--audio',
      wav,
      '--labels',
      labels,
      '--json'
    );
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.seconds).toBe(36);
    expect(j.settings).toMatchObject({ overlap: 0.5, suppressionMs: 1000, average: 1 });
    expect(j.events).toBe(10);
    const events = parseLabels(readFileSync(labels, 'utf8'), ['background', 'no', 'yes']);
    const expected = scoreDetections(
      j.detections.map((d: { seconds: number; class: string; probability: number }) => ({
        time: d.seconds,
        label: d.class,
        classIndex: 0,
        probability: d.probability
      })),
      events,
      36
    );
    expect(j).toMatchObject({
      hits: expected.hits,
      misses: expected.misses,
      falseAlarms: expected.falseAlarms,
      hitRate: expected.hitRate
    });
    expect(j.falseAlarmsPerHour).toBeCloseTo((expected.falseAlarms * 3600) / 36, 6);
    // The demo model hears most of the words (measured: see the closing note).
    expect(j.hits).toBeGreaterThanOrEqual(6);
    expect(j.hits + j.misses).toBe(10);
    // Text mode: the same lines plus a summary marked with #.
    const t = await quench('stream', '--model', MODEL, '--audio', wav, '--labels', labels);
    expect(t.out.trim().split('\n').at(-1)).toMatch(
      new RegExp(
        `^# ${j.hits} of 10 events heard \\(\\d+\\.\\d %\\), ${j.misses} missed, ${j.falseAlarms} false alarms`
      )
    );
  });

  test('the settings flags change what is detected', async () => {
    const base = JSON.parse(
      (await quench('stream', '--model', MODEL, '--audio', wav, '--json')).out
    );
    const strict = JSON.parse(
      (await quench('stream', '--model', MODEL, '--audio', wav, '--json', '--threshold', '0.97'))
        .out
    );
    expect(strict.detections.length).toBeLessThan(base.detections.length);
    const fine = JSON.parse(
      (await quench('stream', '--model', MODEL, '--audio', wav, '--json', '--overlap', '0.75')).out
    );
    expect(fine.windows).toBeGreaterThan(1.9 * base.windows);
    const none = JSON.parse(
      (
        await quench(
          'stream',
          '--model',
          MODEL,
          '--audio',
          wav,
          '--json',
          '--suppression',
          '0',
          '--threshold',
          '0'
        )
      ).out
    );
    // No threshold and no suppression: every window whose top class is a word is a detection.
    expect(none.detections.length).toBeGreaterThan(base.detections.length);
  });

  test.each([
    [['stream', '--model', MODEL], 2, /--audio is required/],
    [
      ['stream', '--model', MODEL, '--audio', 'x.wav', '--threshold', '2'],
      2,
      /--threshold must be/
    ],
    [['stream', '--model', MODEL, '--audio', 'x.wav', '--average', '0'], 2, /--average must be/],
    [
      ['stream', '--model', MODEL, '--audio', join(root, 'none.wav')],
      1,
      /none\.wav: no such recording/
    ]
  ])('%j exits %i', async (args, code, why) => {
    const r = await quench(...args);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(why);
  });

  test('a label naming a class the model does not know: exit 1, the file and the line', async () => {
    const bad = join(root, 'bad.tsv');
    writeFileSync(bad, '1.0\t1.4\tyes\n2.0\t2.5\tmaybe\n');
    const r = await quench('stream', '--model', MODEL, '--audio', wav, '--labels', bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}: line 2: class "maybe" is not one the model knows`);
  });

  test('a text file as the recording: exit 1 naming it', async () => {
    const txt = join(root, 'notes.wav');
    writeFileSync(txt, 'not a recording');
    const r = await quench('stream', '--model', MODEL, '--audio', txt);
    expect(r.code).toBe(1);
    expect(r.err).toContain('notes.wav');
  });

  test('--help documents stream and export --input', async () => {
    const r = await quench('--help');
    for (const flag of [
      'quench stream',
      '--audio',
      '--labels',
      '--suppression',
      '--input raw',
      '--size'
    ])
      expect(r.out).toContain(flag);
  });
});

describe('quench export --input raw', () => {
  test('writes an ONNX model that takes 16 kHz audio and says so', async () => {
    ort.env.wasm.numThreads = 1;
    const out = join(root, 'demo-audio.onnx');
    const r = await quench(
      'export',
      '--model',
      MODEL,
      '--format',
      'onnx',
      '--input',
      'raw',
      '--out',
      out
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('input "audio" float32 [1, 16000] (1 s of mono audio at 16 kHz');
    const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(out)));
    expect(session.inputNames).toEqual(['audio']);
    expect(session.outputNames).toEqual(['logits', 'probabilities', 'codes']);
    await session.release();
  });

  test('--size only for pictures, --input only for onnx', async () => {
    const out = join(root, 'x.onnx');
    const a = await quench(
      'export',
      '--model',
      MODEL,
      '--input',
      'raw',
      '--size',
      '64x48',
      '--out',
      out
    );
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/--size is for --input raw on a picture model/);
    const b = await quench(
      'export',
      '--model',
      MODEL,
      '--format',
      'int',
      '--input',
      'raw',
      '--out',
      out
    );
    expect(b.code).toBe(2);
    const c = await quench('export', '--model', MODEL, '--input', 'pixels', '--out', out);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/--input must be features or raw/);
  });
});

describe('quench predict on a long recording', () => {
  test('judges the loudest second and says so, pointing at quench stream', async () => {
    const r = await quench('predict', '--model', MODEL, wav);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\t')).toHaveLength(3);
    expect(r.err).toMatch(
      /words\.wav: 36\.0 s with \d+ utterances; judged its loudest second only/
    );
    expect(r.err).toContain('quench stream --model M --audio');
    const json = JSON.parse((await quench('predict', '--model', MODEL, '--json', wav)).out);
    expect(json.predictions[0].seconds).toBeCloseTo(36, 1);
  });
});

describe('quench predict on silence', () => {
  test('digital silence, or a muted input’s dither, is nothing heard as in Live, whatever the model guesses', async () => {
    const zeros = join(root, 'silence.wav');
    writeFileSync(zeros, encodeWav([new Float32Array(16000)], 16000));
    const dither = join(root, 'muted.wav');
    const low = Float32Array.from({ length: 16000 }, (_, i) => 1e-4 * Math.sin(i * 12.9898));
    writeFileSync(dither, encodeWav([low], 16000));
    // The demo model's background class is what it calls nothing.
    const r = await quench('predict', '--model', MODEL, zeros, dither);
    expect(r.code, r.err).toBe(0);
    expect(r.out.trim().split('\n')).toEqual([
      `${zeros}\tbackground\t-`,
      `${dither}\tbackground\t-`
    ]);
    expect(r.err).toContain(`${zeros}: silent (its peak is under −70 dBFS): nothing heard`);
    // A model without a background class guesses one of its words for silence ("hum" here).
    const demo = decodeModel(new Uint8Array(readFileSync(MODEL)));
    const hum = join(root, 'hum.qnm');
    writeFileSync(hum, encodeModel({ ...demo, labels: ['hum', 'no', 'yes', 'other sounds'] }));
    const h = await quench('predict', '--model', hum, zeros);
    expect(h.out.trim()).toBe(`${zeros}\tnothing heard\t-`);
    const json = JSON.parse((await quench('predict', '--model', hum, '--json', zeros)).out);
    expect(json.predictions).toEqual([
      { file: zeros, class: null, probability: null, silent: true, seconds: 1 }
    ]);
  });
});
