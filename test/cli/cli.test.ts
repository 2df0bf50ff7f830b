/**
 * The quench CLI end to end on real folders: train → eval → predict → quantize on a small image
 * dataset, usage errors (exit 2), and bad input (exit 1, the message names the file, nothing
 * written). Runs `main` in-process for speed; one test spawns the real `bin/quench.js`.
 */
import { spawnSync } from 'node:child_process';
import {
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
import { encode as encodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encodeWav } from '../../core/features/wav';
import { decodeModel } from '../../core/model-file/model-file';
import { quench } from './run-cli';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'quench.js');
const root = mkdtempSync(join(tmpdir(), 'quench-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** 16×16 grey PNGs: class "bars" has a vertical bar, class "dots" a 3×3 blob, at random places. */
function imageDataset(dir: string, perClass: number, seed: number): void {
  let s = seed;
  const rand = (n: number) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % n;
  };
  for (const cls of ['bars', 'dots']) {
    mkdirSync(join(dir, cls), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const data = new Uint8Array(16 * 16);
      for (let p = 0; p < data.length; p++) data[p] = rand(40);
      const x = 2 + rand(11);
      const y = 2 + rand(11);
      if (cls === 'bars') for (let r = 1; r < 15; r++) data[r * 16 + x] = 255;
      else
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) data[(y + dy) * 16 + x + dx] = 255;
      writeFileSync(
        join(dir, cls, `${i}.png`),
        encodePng({ width: 16, height: 16, data, channels: 1, depth: 8 })
      );
    }
  }
}

const preset = join(root, 'tiny.json');
beforeAll(() => {
  imageDataset(join(root, 'train'), 40, 1);
  imageDataset(join(root, 'test'), 15, 2);
  // A small spec so the test trains in seconds; the presets' own training is benchmarked.
  writeFileSync(
    preset,
    JSON.stringify({
      version: 1,
      name: 'tiny',
      input: { shape: [16, 16, 1], kind: 'image' },
      features: { kind: 'image', width: 16, height: 16, channels: 1 },
      quant: { weightBits: 4, weightScheme: 'linear', actBits: 4, inputBits: 8 },
      layers: [
        { type: 'conv', filters: 8, kernel: 3 },
        { type: 'batchnorm' },
        { type: 'relu' },
        { type: 'maxpool', size: 2 },
        { type: 'kwta', fraction: 0.5 },
        { type: 'gap' },
        { type: 'dense' }
      ],
      training: { optimizer: 'adam', learningRate: 0.01, l2: 0, batchSize: 16, epochs: 12 }
    })
  );
});

describe('train → eval → predict → quantize', () => {
  const model = join(root, 'out', 'tiny.qnm');

  test('train writes a loadable model and reports in JSON', async () => {
    mkdirSync(join(root, 'out'), { recursive: true });
    const r = await quench(
      'train',
      '--data',
      join(root, 'train'),
      '--out',
      model,
      '--preset',
      preset,
      '--seed',
      '3',
      '--json'
    );
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out);
    expect(summary.labels).toEqual(['bars', 'dots']);
    expect(summary.counts).toEqual({ bars: 40, dots: 40 });
    expect(summary.validationAccuracy).toBeGreaterThan(0.8);
    // The headline: mean recall per class, beside the share right, from grouped 5-fold CV.
    const [bars, dots] = summary.evaluation.perClass as number[];
    expect(summary.balancedAccuracy).toBeCloseTo((bars + dots) / 2, 12);
    expect(summary.accuracy).toBe(summary.evaluation.accuracy);
    expect(summary.evaluation).toMatchObject({ method: 'k-fold', folds: 5, clips: 80 });
    expect(r.err).toMatch(/epoch 12\/12/); // progress went to stderr
    const contents = decodeModel(new Uint8Array(readFileSync(model)));
    expect(contents.labels).toEqual(['bars', 'dots']);
    expect(readdirSync(join(root, 'out'))).toEqual(['tiny.qnm']); // no temp files left
  });

  test('eval on held-out images: accuracy, per-class recall, confusion', async () => {
    const r = await quench('eval', '--model', model, '--data', join(root, 'test'), '--json');
    expect(r.code, r.err).toBe(0);
    const ev = JSON.parse(r.out);
    expect(ev.examples).toBe(30);
    expect(ev.accuracy).toBeGreaterThan(0.8);
    expect(Object.keys(ev.perClass)).toEqual(['bars', 'dots']);
    expect(ev.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(30);
    const text = await quench('eval', '--model', model, '--data', join(root, 'test'));
    expect(text.out).toMatch(/accuracy \d+\.\d\d % on 30 examples/);
    // The confusion matrix names its columns; layers read as in the app.
    expect(text.out).toContain('confusion: rows are the true class, columns the predicted one');
    expect(text.out).toMatch(/class\s+recall\s+bars\s+dots/);
    expect(text.out).toMatch(/^conv 1 \(8 filters\)\s/m);
    expect(text.out).toMatch(/^classifier \(2 classes\)\s/m);
  });

  test('predict prints file, class and probability per line', async () => {
    const files = [join(root, 'test', 'bars', '0.png'), join(root, 'test', 'dots', '0.png')];
    const r = await quench('predict', '--model', model, ...files);
    expect(r.code, r.err).toBe(0);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(lines.map((l) => l[0])).toEqual(files);
    for (const l of lines) {
      expect(['bars', 'dots']).toContain(l[1]);
      expect(Number(l[2])).toBeGreaterThanOrEqual(0.5);
    }
  });

  test('predict still answers for the good files when one is bad, and exits 1 naming it (newcomer review 6)', async () => {
    const good = join(root, 'test', 'bars', '0.png');
    const bad = join(root, 'out', 'notes.png');
    writeFileSync(bad, 'shopping list');
    const r = await quench('predict', '--model', model, good, bad, join(root, 'nowhere.png'));
    expect(r.code).toBe(1);
    expect(r.out.trim().split('\t')[0]).toBe(good);
    expect(r.err).toContain(`${bad}: `);
    expect(r.err).toContain('nowhere.png: no such file');
    const json = JSON.parse((await quench('predict', '--model', model, '--json', good, bad)).out);
    expect(json.predictions.map((p: { file: string }) => p.file)).toEqual([good]);
    expect(json.errors).toHaveLength(1);
  });

  test('quantize rewrites the spec at the new width, no retraining', async () => {
    const q = join(root, 'out', 'tiny-2bit.qnm');
    const r = await quench(
      'quantize',
      '--model',
      model,
      '--weight-bits',
      '2',
      '--weight-scheme',
      'exponential',
      '--out',
      q
    );
    expect(r.code, r.err).toBe(0);
    const contents = decodeModel(new Uint8Array(readFileSync(q)));
    expect([contents.spec.quant.weightBits, contents.spec.quant.weightScheme]).toEqual([
      2,
      'exponential'
    ]);
    const ev = await quench('eval', '--model', q, '--data', join(root, 'test'), '--json');
    expect(ev.code, ev.err).toBe(0);
    // Re-quantizing without retraining can cost accuracy: it says so, and how to check.
    expect(r.err).toMatch(
      /without retraining accuracy can drop.*quench eval --model .*tiny-2bit\.qnm/
    );
  });

  test('flag and preset mistakes say what is wrong in the words of the flags', async () => {
    const data = join(root, 'train');
    const out = join(root, 'out', 'never.qnm');
    const zero = await quench('train', '--data', data, '--out', out, '--weight-bits', '0');
    expect([zero.code, zero.err]).toEqual([
      2,
      expect.stringMatching(/--weight-bits must be 1–8 or 32 \(float\), got "0"/)
    ]);
    const negative = await quench('train', '--data', data, '--out', out, '--epochs', '-3');
    expect([negative.code, negative.err]).toEqual([
      2,
      expect.stringMatching(/--epochs must be an integer from 1 to 1000, got "-3"/)
    ]);
    const float = await quench('train', '--data', data, '--out', out, '--act-bits', '32');
    expect([float.code, float.err]).toEqual([
      2,
      expect.stringMatching(/--act-bits 32 \(float activations\) needs k-WTA off: add --kwta 1/)
    ]);
    expect(float.err).not.toMatch(/layers\[/);
    const kind = await quench('train', '--data', data, '--out', out, '--preset', 'audio-small');
    expect(kind.code).toBe(1);
    expect(kind.err).toMatch(
      /the preset audio-small is for sound, but the folder holds pictures \(80 of 80\); leave --preset out or use --preset vision-small/
    );
    expect(kind.err).not.toMatch(/not used/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('the integer engine and exports', () => {
  const model = join(root, 'out', 'tiny.qnm');

  test('eval defaults to the integer engine and reports every layer', async () => {
    const r = await quench('eval', '--model', model, '--data', join(root, 'test'), '--json');
    expect(r.code, r.err).toBe(0);
    const ev = JSON.parse(r.out);
    expect(ev.engine).toBe('int');
    expect(ev.accuracy).toBeGreaterThan(0.8);
    expect(ev.layers.map((l: { op: string }) => l.op)).toEqual([
      'conv',
      'maxpool',
      'kwta',
      'gap',
      'dense'
    ]);
    const conv = ev.layers[0];
    expect(conv.effectiveMacs).toBeGreaterThan(0);
    expect(conv.effectiveMacs).toBeLessThanOrEqual(conv.macs);
    // k-WTA keeps at most half of 8 channels at each location.
    expect(ev.layers[2].density).toBeLessThanOrEqual(0.5);
    for (const l of ev.layers) {
      expect(Number.isInteger(l.deadFilters)).toBe(true);
      expect(l.energyPj).toBeGreaterThan(0);
    }
    expect(ev.energy.totalPj).toBeCloseTo(
      ev.layers.reduce((a: number, l: { energyPj: number }) => a + l.energyPj, 0),
      6
    );
    expect(ev.energy.floatDensePj).toBeGreaterThan(ev.energy.totalPj);
    expect(ev.energy.gatedPj).toBeGreaterThanOrEqual(ev.energy.totalPj);
    const text = await quench('eval', '--model', model, '--data', join(root, 'test'));
    expect(text.out).toMatch(
      new RegExp(
        `energy per inference, mean over the ${ev.examples} examples: [\\d.]+ nJ \\(zeros skipped\\)`
      )
    );
    expect(text.out).toMatch(/coin cell lasts/);
  });

  test('export --format int writes a smaller file that eval and predict still run', async () => {
    const small = join(root, 'out', 'tiny-int.qnm');
    const r = await quench('export', '--model', model, '--format', 'int', '--out', small, '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).bytes).toBeLessThan(readFileSync(model).length);
    const full = JSON.parse(
      (await quench('eval', '--model', model, '--data', join(root, 'test'), '--json')).out
    );
    const ev = await quench('eval', '--model', small, '--data', join(root, 'test'), '--json');
    expect(ev.code, ev.err).toBe(0);
    expect(JSON.parse(ev.out).confusion).toEqual(full.confusion);
    const p = await quench('predict', '--model', small, join(root, 'test', 'bars', '0.png'));
    expect(p.code, p.err).toBe(0);
    const f = await quench(
      'eval',
      '--model',
      small,
      '--data',
      join(root, 'test'),
      '--engine',
      'float'
    );
    expect(f.code).toBe(1);
    expect(f.err).toMatch(/only the integer network/);
    // Nothing to re-quantize in an integer-only export: say so, not "--engine float".
    const q = await quench(
      'quantize',
      '--model',
      small,
      '--weight-bits',
      '2',
      '--weight-scheme',
      'linear',
      '--out',
      join(root, 'out', 'never.qnm')
    );
    expect(q.code).toBe(1);
    expect(q.err).toMatch(
      /integer-only export .* has no trained weights to re-quantize; use the model file training wrote/
    );
    expect(q.err).not.toMatch(/--engine float/);
  });

  test('export --format onnx writes an ONNX model', async () => {
    const onnx = join(root, 'out', 'tiny.onnx');
    const r = await quench('export', '--model', model, '--format', 'onnx', '--out', onnx);
    expect(r.code, r.err).toBe(0);
    const bytes = readFileSync(onnx);
    expect(bytes.length).toBeGreaterThan(100);
    // A protobuf ModelProto starts with field 1 (ir_version), varint: 0x08.
    expect(bytes[0]).toBe(0x08);
  });
});

describe('usage errors exit 2', () => {
  test.each([
    [['train', '--out', 'x.qnm'], /--data is required/],
    [
      ['train', '--data', 'd', '--out', 'x', '--weight-bits', '12'],
      /--weight-bits must be 1–8 or 32/
    ],
    [['train', '--data', 'd', '--out', 'x', '--kwta', '0'], /--kwta must be a fraction/],
    [['eval', '--model', 'm', '--data', 'd', '--epochs', '3'], /eval does not take --epochs/],
    [
      ['export', '--model', 'm', '--out', 'o', '--format', 'tflite'],
      /--format must be onnx or int/
    ],
    [['frobnicate'], /unknown command/],
    [['train', '--no-such-flag'], /^quench: unknown option --no-such-flag\n/],
    // A near miss names the flag meant.
    [['train', '--epoch', '3'], /^quench: unknown option --epoch; did you mean --epochs\?\n/],
    [['stream', '--treshold', '0.5'], /did you mean --threshold\?/],
    [[], /Usage:/]
  ])('%j', async (args, why) => {
    const r = await quench(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(why);
  });

  test('--help documents every flag', async () => {
    const r = await quench('--help');
    expect(r.code).toBe(0);
    for (const flag of [
      '--data',
      '--out',
      '--preset',
      '--epochs',
      '--weight-bits',
      '--weight-scheme',
      '--act-bits',
      '--kwta',
      '--seed',
      '--json',
      '--model',
      '--engine',
      '--format',
      '--skip-bad'
    ]) {
      expect(r.out).toContain(flag);
    }
  });
});

describe('bad input exits 1, names the file and writes nothing', () => {
  function audioDataset(name: string): string {
    const dir = join(root, name);
    for (const cls of ['yes', 'no']) {
      mkdirSync(join(dir, cls), { recursive: true });
      for (let i = 0; i < 3; i++) {
        const tone = Float32Array.from(
          { length: 8000 },
          (_, t) => 0.3 * Math.sin(t * (cls === 'yes' ? 0.2 : 0.05) + i)
        );
        writeFileSync(join(dir, cls, `${i}.wav`), encodeWav([tone], 16000));
      }
    }
    return dir;
  }

  async function expectRefused(data: string, why: RegExp, file?: string): Promise<void> {
    const out = join(root, `refused-${Math.random().toString(36).slice(2)}.qnm`);
    const r = await quench('train', '--data', data, '--out', out, '--epochs', '1');
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(why);
    if (file) expect(r.err).toContain(file);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }

  test('a corrupt WAV', async () => {
    const dir = audioDataset('corrupt-wav');
    const bad = join(dir, 'yes', '1.wav');
    // Cut inside its "fmt " chunk: no format, nothing to read (a file cut inside its samples is
    // read up to the cut, as sox and ffmpeg do; test/core/audio-formats.test.ts).
    writeFileSync(bad, encodeWav([new Float32Array(100)], 16000).subarray(0, 30));
    await expectRefused(dir, /truncated/, bad);
  });

  test('a 0-byte file', async () => {
    const dir = audioDataset('zero-byte');
    const bad = join(dir, 'no', 'empty.wav');
    writeFileSync(bad, new Uint8Array(0));
    await expectRefused(dir, /empty \(0 bytes\)/, bad);
  });

  test('a PNG with a wrong CRC', async () => {
    const dir = join(root, 'bad-crc');
    imageDataset(dir, 3, 5);
    const bad = join(dir, 'dots', '1.png');
    const bytes = encodePng({
      width: 4,
      height: 4,
      data: new Uint8Array(16),
      channels: 1,
      depth: 8
    });
    bytes[30] ^= 0x55; // IHDR CRC
    writeFileSync(bad, bytes);
    await expectRefused(dir, /crc/i, bad);
  });

  test('an empty class folder', async () => {
    const dir = audioDataset('empty-class');
    mkdirSync(join(dir, 'maybe'));
    await expectRefused(dir, /class folder "maybe" is empty/);
  });

  test('a folder with one class', async () => {
    const dir = join(root, 'one-class');
    mkdirSync(join(dir, 'only'), { recursive: true });
    writeFileSync(join(dir, 'only', 'a.wav'), encodeWav([new Float32Array(1600)], 16000));
    await expectRefused(dir, /only one class folder \("only"\)/);
  });

  test('a missing dataset folder and a damaged model file', async () => {
    await expectRefused(join(root, 'nope'), /no such folder/, join(root, 'nope'));
    const broken = join(root, 'broken.qnm');
    writeFileSync(broken, new TextEncoder().encode('QNCHMODL this is not really a model'));
    const r = await quench('eval', '--model', broken, '--data', join(root, 'test'));
    expect(r.code).toBe(1);
    expect(r.err).toContain(broken);
    expect(r.err).toMatch(/damaged|version/);
  });
});

test('the installed bin runs: npx quench --help', () => {
  const r = spawnSync(process.execPath, [BIN, '--help'], {
    encoding: 'utf8'
  });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toContain('quench train');
  const bad = spawnSync(process.execPath, [BIN, 'train'], {
    encoding: 'utf8'
  });
  expect(bad.status).toBe(2);
});
