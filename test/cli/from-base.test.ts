/**
 * quench train --from: a sound project starts from the bundled keyword base by default, with the
 * base's network and the automatic "other sounds" class; --from scratch and a preset train the
 * preset from random values; mistakes are said in the flags' words.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OTHER_SOUNDS } from '../../core/data/base';
import { crc32, decodeModel } from '../../core/model-file/model-file';
import { resolveSpec } from '../../core/spec/resolve';
import { soundProject } from '../fixtures/first-project';
import { writePng } from '../fixtures/png-writer';
import { quench } from './run-cli';

const MODELS = join(import.meta.dirname, '..', '..', 'models');
const root = mkdtempSync(join(tmpdir(), 'quench-from-'));
let data: string;
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(() => {
  data = soundProject(root, ['left', 'right'], 6);
});

const baseHash = () =>
  crc32(new Uint8Array(readFileSync(join(MODELS, 'keyword-base.qnm'))).subarray(0, -4))
    .toString(16)
    .padStart(8, '0');

describe('quench train --from', () => {
  test('by default a sound project starts from the keyword base and says so', async () => {
    const out = join(root, 'base.qnm');
    const r = await quench('train', '--data', data, '--out', out, '--epochs', '3', '--json');
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.startedFrom).toBe(`base:keyword-base@${baseHash()}`);
    expect(s.trainedLayers).toBe('head');
    expect(s.labels).toEqual(['background', 'left', 'right', OTHER_SOUNDS]);
    expect(s.automaticClasses[0]).toMatchObject({ name: OTHER_SOUNDS, clips: 6 });
    const m = decodeModel(new Uint8Array(readFileSync(out)));
    expect(m.metrics.startedFrom).toBe(s.startedFrom);
    // The base's network and front end, its standardisation included.
    const base = decodeModel(new Uint8Array(readFileSync(join(MODELS, 'keyword-base.qnm'))));
    expect(m.spec.features).toEqual(base.spec.features);
    expect(m.spec.layers.length).toBe(base.spec.layers.length);
    // Every layer below the head holds exactly the base's weights.
    const head = m.tensors.at(-1)!.name.split('/')[0];
    const byName = new Map(base.tensors.map((t) => [t.name, t]));
    for (const t of m.tensors.filter((x) => !x.name.startsWith(`${head}/`)))
      expect(Array.from(t.data), t.name).toEqual(Array.from(byName.get(t.name)!.data));
    // Text output names the start and the automatic class.
    const text = await quench('train', '--data', data, '--out', out, '--epochs', '1');
    expect(text.out).toMatch(/from keyword-base \(its last layer trained\)/);
    expect(text.out).toMatch(/added the class “other sounds”: 6 one-second clips/);
    // Never announced, so no threshold is listed for it.
    expect(text.out).toMatch(/^detection thresholds: left \d+ %, right \d+ %;/m);
  }, 180_000);

  test('--from scratch trains the preset from random values, with no automatic class', async () => {
    const out = join(root, 'scratch.qnm');
    const r = await quench(
      'train',
      '--data',
      data,
      '--out',
      out,
      '--epochs',
      '1',
      '--from',
      'scratch',
      '--json'
    );
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out);
    expect(s).toMatchObject({
      startedFrom: 'scratch',
      trainedLayers: 'all',
      preset: 'audio-small'
    });
    expect(s.labels).toEqual(['background', 'left', 'right']);
    // A preset named without --from means scratch.
    const p = await quench(
      'train',
      '--data',
      data,
      '--out',
      out,
      '--epochs',
      '1',
      '--preset',
      'audio-small',
      '--json'
    );
    expect(JSON.parse(p.out).startedFrom).toBe('scratch');
  }, 180_000);

  test('last layer only: --act-bits and --kwta are said to change nothing, and do not', async () => {
    const out = join(root, 'idle.qnm');
    const r = await quench(
      'train',
      '--data',
      data,
      '--out',
      out,
      '--epochs',
      '1',
      '--act-bits',
      '2',
      '--kwta',
      '0.25'
    );
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(
      'note: --act-bits and --kwta change nothing when only the last layer trains'
    );
    const base = decodeModel(new Uint8Array(readFileSync(join(MODELS, 'keyword-base.qnm'))));
    const m = decodeModel(new Uint8Array(readFileSync(out)));
    // Below the head, every activation width and k-WTA fraction is the base's.
    const served = (c: typeof m) =>
      resolveSpec(c.spec, c.labels.length)
        .layers.slice(0, -1)
        .map((l) => [l.name, l.actBits, l.spec.type === 'kwta' ? l.spec.fraction : null]);
    expect(served(m)).toEqual(served(base));
  }, 60_000);

  test('--train-layers all moves the base layers too; a base file can be named', async () => {
    const own = join(root, 'my-base');
    for (const x of ['qnm', 'json', 'others.wav'])
      copyFileSync(join(MODELS, `keyword-base.${x}`), `${own}.${x}`);
    const out = join(root, 'all.qnm');
    const r = await quench(
      'train',
      '--data',
      data,
      '--out',
      out,
      '--epochs',
      '1',
      '--from',
      `${own}.qnm`,
      '--train-layers',
      'all',
      '--json'
    );
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.startedFrom).toBe(`base:my-base@${baseHash()}`);
    expect(s.trainedLayers).toBe('all');
    const m = decodeModel(new Uint8Array(readFileSync(out)));
    const base = decodeModel(new Uint8Array(readFileSync(`${own}.qnm`)));
    const first = base.tensors[0];
    expect(Array.from(m.tensors[0].data)).not.toEqual(Array.from(first.data));
  }, 180_000);

  test('mistakes: a preset with --from base, layers from scratch, a missing or broken base', async () => {
    const out = join(root, 'x.qnm');
    const a = await quench(
      'train',
      '--data',
      data,
      '--out',
      out,
      '--from',
      'base',
      '--preset',
      'audio-small'
    );
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/--preset is for a run from scratch/);
    const b = await quench(
      'train',
      '--data',
      data,
      '--out',
      out,
      '--from',
      'scratch',
      '--train-layers',
      'all'
    );
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/--train-layers is for a run from a base/);
    const c = await quench('train', '--data', data, '--out', out, '--train-layers', 'some');
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/--train-layers must be head, top or all/);
    const missing = join(root, 'nowhere.qnm');
    const d = await quench('train', '--data', data, '--out', out, '--from', missing);
    expect(d.code).toBe(1);
    expect(d.err).toContain('nowhere.qnm');
    const broken = join(root, 'broken');
    writeFileSync(`${broken}.qnm`, 'not a model');
    writeFileSync(`${broken}.json`, '{}');
    const e = await quench('train', '--data', data, '--out', out, '--from', `${broken}.qnm`);
    expect(e.code).toBe(1);
    expect(e.err).toMatch(/broken\.qnm: /);
    // Pictures have no base: unsaid, a picture project starts from scratch; asked, it is refused.
    const pictures = join(root, 'pictures');
    for (const [k, name] of ['dark', 'light'].entries())
      for (let i = 0; i < 3; i++) {
        mkdirSync(join(pictures, name), { recursive: true });
        const samples = Array.from({ length: 8 * 8 }, (_, j) => 40 + 150 * k + ((i * 7 + j) % 30));
        writeFileSync(
          join(pictures, name, `${name}-${i}.png`),
          writePng({
            width: 8,
            height: 8,
            colorType: 0,
            depth: 8,
            interlace: 0,
            samples,
            filter: 0
          })
        );
      }
    const f = await quench('train', '--data', pictures, '--out', out, '--from', 'base');
    expect(f.code).toBe(1);
    expect(f.err).toContain(`${pictures}: there is no picture base yet; use --from scratch`);
  }, 60_000);
});
