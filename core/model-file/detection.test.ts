/**
 * The model file's optional detection settings: a round trip, older files without them, what a
 * requantized model keeps, and malformed settings refused with a message naming the field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeModel, encodeModel, ModelFileError, type ModelContents } from './model-file';
import { requantizeContents } from './requantize';

/** The demo model without the detection settings it carries. */
const demo = (): ModelContents => {
  const {
    model: _m,
    detection: _d,
    ...contents
  } = decodeModel(
    new Uint8Array(readFileSync(join(import.meta.dirname, '..', '..', 'models', 'demo-words.qnm')))
  );
  return contents;
};

// background, no, yes, other sounds
const detection = {
  thresholds: [0.75, 0.82, 0.9, 0.75],
  average: 2,
  basis: 'chosen from 24 clips'
};

describe('model file: detection settings', () => {
  test('round trip, and files without them still load', () => {
    const plain = demo();
    expect(decodeModel(encodeModel(plain)).detection).toBeUndefined();
    const back = decodeModel(encodeModel({ ...plain, detection }));
    expect(back.detection).toEqual(detection);
    expect(back.labels).toEqual(plain.labels);
    // An integer-only file carries them too.
    expect(
      decodeModel(encodeModel({ ...plain, detection }, { includeFloat: false })).detection
    ).toEqual(detection);
  });

  test('a requantized model drops them (they were chosen for the old weights)', () => {
    const next = requantizeContents(
      { ...demo(), detection },
      { weightBits: 2, weightScheme: 'linear' },
      '',
      'x'
    );
    expect(next.detection).toBeUndefined();
  });

  test.each([
    [
      { ...detection, thresholds: [0.5, 0.5] },
      'detection.thresholds must hold one threshold per class (4)'
    ],
    [
      { ...detection, thresholds: [0.5, 1.5, 0.5, 0.5] },
      'detection.thresholds[1] must be a number from 0 to 1, got 1.5'
    ],
    [
      { ...detection, thresholds: [0.5, '0.7', 0.5, 0.5] },
      'detection.thresholds[1] must be a number from 0 to 1, got "0.7"'
    ],
    [
      { ...detection, average: 0 },
      'detection.average must be a whole number of windows from 1 to 20, got 0'
    ],
    [{ ...detection, average: 2.5 }, 'detection.average must be a whole number'],
    [{ ...detection, basis: 7 }, 'detection.basis must be text'],
    [[0.5, 0.5, 0.5], 'detection must be an object with thresholds, average and basis']
  ])('refuses %j', (bad, message) => {
    const bytes = encodeModel({ ...demo(), detection: bad as unknown as typeof detection });
    expect(() => decodeModel(bytes)).toThrow(ModelFileError);
    expect(() => decodeModel(bytes)).toThrow(message);
  });
});
