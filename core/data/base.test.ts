import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { encodeWav } from '../features/wav';
import { addOtherSounds, BaseError, decodeBase, isOtherSoundsClass, OTHER_SOUNDS } from './base';
import type { ScannedDataset } from './scan';

const MODEL = new Uint8Array(
  readFileSync(join(import.meta.dirname, '..', '..', 'models', 'demo-words.qnm'))
);

/** A pack of `words.length` one-second clips; clip i is a constant i/100 (to tell them apart). */
function pack(words: string[], extraSamples = 0): { others: Uint8Array; record: string } {
  const x = new Float32Array(words.length * 16000 + extraSamples);
  words.forEach((_, i) => x.fill(i / 100, i * 16000, (i + 1) * 16000));
  return {
    others: encodeWav([x], 16000),
    record: JSON.stringify({ about: 'test', others: { words } })
  };
}

function scanned(labels: string[], perClass: number): ScannedDataset {
  const items = labels.flatMap((_, label) =>
    Array.from({ length: perClass }, (_, i) => ({
      label,
      file: `${labels[label]}/${i}.wav`,
      samples: new Float32Array(16000)
    }))
  );
  return {
    labels,
    items,
    problems: [],
    ignored: [],
    notes: [],
    counts: labels.map(() => perClass),
    background: []
  };
}

describe('bases', () => {
  test('a base reads from its model, record and pack, and names itself by a hash of the model', () => {
    const b = decodeBase('demo', { model: MODEL, ...pack(['apple', 'pear', 'plum']) });
    expect(b.others.words).toEqual(['apple', 'pear', 'plum']);
    expect(b.others.clips.map((c) => c.length)).toEqual([16000, 16000, 16000]);
    expect(b.others.clips[2][100]).toBeCloseTo(0.02, 3);
    expect(b.hash).toMatch(/^[0-9a-f]{8}$/);
    // The hash is the file's own CRC (its last four bytes), so two bases never share it.
    const stored = new DataView(MODEL.buffer, MODEL.byteOffset + MODEL.length - 4).getUint32(
      0,
      true
    );
    expect(b.hash).toBe(stored.toString(16).padStart(8, '0'));
    const other = MODEL.slice();
    other[40] ^= 1;
    // A changed model is another base (or a damaged file): never the same name.
    expect(() => decodeBase('demo', { model: other, ...pack(['a']) })).toThrow(BaseError);
  });

  test('damaged or inconsistent files are refused naming the file and the problem', () => {
    const p = pack(['apple', 'pear']);
    expect(() => decodeBase('kb', { model: MODEL.slice(0, 100), ...p })).toThrow(/^kb\.qnm: /);
    expect(() => decodeBase('kb', { model: MODEL, others: p.others, record: '{' })).toThrow(
      /kb\.json is not JSON/
    );
    expect(() =>
      decodeBase('kb', { model: MODEL, others: p.others, record: '{"others":{"words":[1]}}' })
    ).toThrow(/others\.words must list/);
    // The pack holds two clips and a bit: it doesn't match the record's two words.
    const torn = pack(['apple', 'pear'], 5);
    expect(() => decodeBase('kb', { model: MODEL, ...torn })).toThrow(
      /kb\.others\.wav holds 32005 samples; 2 clips need 32000/
    );
    const rate = encodeWav([new Float32Array(8000)], 8000);
    expect(() =>
      decodeBase('kb', { model: MODEL, others: rate, record: pack(['a']).record })
    ).toThrow(/at 8000 Hz, the base needs 16000/);
  });

  test('"other sounds" draws clips of words that are not the project\'s, seeded, as a class of its own', () => {
    const words = ['apple', 'Lights', 'pear', 'plum', 'lights', 'fig', 'kiwi', '(speech)'];
    const b = decodeBase('kb', { model: MODEL, ...pack(words) });
    const s = scanned(['background', 'lights', 'music'], 4);
    const out = addOtherSounds(s, b, 5, 7);
    expect(out.labels).toEqual(['background', 'lights', 'music', OTHER_SOUNDS]);
    expect(out.counts).toEqual([4, 4, 4, 5]);
    const added = out.items.slice(12);
    expect(added.every((it) => it.label === 3)).toBe(true);
    // Never a clip of one of the project's own words, in any case.
    expect(added.some((it) => /lights/i.test(it.file))).toBe(false);
    expect(new Set(added.map((it) => it.file)).size).toBe(5);
    expect(addOtherSounds(s, b, 5, 7).items.map((it) => it.file)).toEqual(
      out.items.map((it) => it.file)
    );
    expect(addOtherSounds(s, b, 5, 8).items.map((it) => it.file)).not.toEqual(
      out.items.map((it) => it.file)
    );
    // Asking for more than the pack holds gives what there is; the input is left unchanged.
    expect(addOtherSounds(s, b, 100, 1).counts[3]).toBe(6);
    expect(s.labels).toHaveLength(3);
    // A project that has its own "Other Sounds" class gets the clips added to it.
    const own = addOtherSounds(scanned(['Other Sounds', 'stop'], 2), b, 3, 1);
    expect(own.labels).toEqual(['Other Sounds', 'stop']);
    expect(own.counts).toEqual([5, 2]);
    expect(isOtherSoundsClass('other sounds')).toBe(true);
    expect(isOtherSoundsClass('others')).toBe(false);
  });
});
