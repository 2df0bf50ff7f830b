import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  applyOverrides,
  getPreset,
  PRESET_NAMES,
  resolveSpec,
  SpecError,
  validateSpec,
  type ModelSpec
} from './index';

// The tests corrupt arbitrary fields of a spec, so they need an untyped view of it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

function digits(): ModelSpec {
  return getPreset('digits');
}

function expectSpecError(value: unknown, path: string, problem: RegExp): void {
  try {
    validateSpec(value, 'my.json');
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    const err = e as SpecError;
    expect(err.path).toBe(path);
    expect(err.problem).toMatch(problem);
    expect(err.message.startsWith('my.json: ')).toBe(true);
    return;
  }
  throw new Error(`expected a SpecError at ${path}`);
}

describe('presets', () => {
  test.each(PRESET_NAMES)('%s validates and resolves for 2 and 12 classes', (name) => {
    const spec = getPreset(name);
    for (const classes of [2, 12]) {
      const m = resolveSpec(spec, classes);
      expect(m.layers.at(-1)!.outShape).toEqual([classes]);
      expect(m.layers[0].inShape).toEqual(spec.input.shape);
    }
  });

  test('digits x=[28,28,1]: conv16 → pool → conv32 → pool → dense [1568, 10]', () => {
    const m = resolveSpec(digits(), 10);
    const shapes = m.layers.map((l) => `${l.spec.type}:${l.outShape.join('x')}`);
    expect(shapes).toEqual([
      'conv:28x28x16',
      'batchnorm:28x28x16',
      'relu:28x28x16',
      'maxpool:14x14x16',
      'kwta:14x14x16',
      'conv:14x14x32',
      'batchnorm:14x14x32',
      'relu:14x14x32',
      'maxpool:7x7x32',
      'kwta:7x7x32',
      'dense:10'
    ]);
    expect(m.layers[0].kernelShape).toEqual([3, 3, 1, 16]);
    expect(m.layers[10].kernelShape).toEqual([7 * 7 * 32, 10]);
    expect(m.layers[0].name).toBe('conv0');
    expect(m.layers[2].actBits).toBe(8);
  });

  test('audio-small x=[49,40,1] and vision-small x=[32,32,3] end in gap → dense', () => {
    expect(resolveSpec(getPreset('audio-small'), 5).layers.at(-2)!.outShape).toEqual([64]);
    expect(resolveSpec(getPreset('vision-small'), 3).layers[0].kernelShape).toEqual([3, 3, 3, 16]);
  });

  test('unknown preset names the known ones', () => {
    expect(() => getPreset('nope')).toThrow(/digits, vision-small, audio-small/);
  });
});

describe('validateSpec errors name the field', () => {
  const mutate = (f: (s: Loose) => void): unknown => {
    const s = JSON.parse(JSON.stringify(digits()));
    f(s);
    return s;
  };
  test('root and header', () => {
    expectSpecError(null, '(root)', /JSON object/);
    expectSpecError(
      mutate((s) => (s.version = 2)),
      'version',
      /must be 1/
    );
    expectSpecError(
      mutate((s) => (s.name = 'Has Spaces')),
      'name',
      /lowercase/
    );
    expectSpecError(
      mutate((s) => (s.input.shape = [28, 28])),
      'input.shape',
      /height, width/
    );
    expectSpecError(
      mutate((s) => (s.input.shape[2] = 0)),
      'input.shape[2]',
      /1 to 4/
    );
  });
  test('quant widths: 9 bits and scheme "log" rejected, 32 accepted', () => {
    expectSpecError(
      mutate((s) => (s.quant.weightBits = 9)),
      'quant.weightBits',
      /1–8 bits or 32/
    );
    expectSpecError(
      mutate((s) => (s.quant.weightScheme = 'log')),
      'quant.weightScheme',
      /linear/
    );
    expect(validateSpec(mutate((s) => (s.quant.actBits = 32))).quant.actBits).toBe(32);
  });
  test('layers', () => {
    expectSpecError(
      mutate((s) => (s.layers[0].type = 'lstm')),
      'layers[0].type',
      /unknown layer type/
    );
    expectSpecError(
      mutate((s) => (s.layers[0].units = 3)),
      'layers[0].units',
      /not a field of a conv/
    );
    expectSpecError(
      mutate((s) => (s.layers[0].filters = 0)),
      'layers[0].filters',
      /1 to 1024/
    );
    expectSpecError(
      mutate((s) => (s.layers[4].fraction = 0)),
      'layers[4].fraction',
      /\(0, 1\]/
    );
    expectSpecError(
      mutate((s) => (s.layers[4].fraction = 1.5)),
      'layers[4].fraction',
      /\(0, 1\]/
    );
    expectSpecError(
      mutate((s) => s.layers.pop()),
      'layers[9]',
      /last layer must be dense/
    );
    expectSpecError(
      mutate((s) => s.layers.splice(1, 0, { type: 'dense' })),
      'layers[1].units',
      /required except on the last/
    );
    expectSpecError(
      mutate((s) => (s.layers[3].size = 16)),
      'layers[8]',
      /too small/
    );
  });
  test('layer orders the integer engine cannot run are refused before training', () => {
    // digits: conv bn relu maxpool kwta conv bn relu maxpool dense
    expectSpecError(
      mutate((s) => s.layers.splice(0, 0, { type: 'maxpool', size: 2 })),
      'layers[0]',
      /first layer must be conv or dense/
    );
    expectSpecError(
      mutate((s) => s.layers.splice(2, 1)),
      'layers[0]',
      /must be followed by \[batchnorm\] relu/
    );
    expectSpecError(
      mutate((s) => s.layers.splice(3, 0, { type: 'batchnorm' })),
      'layers[3]',
      /batchnorm must follow a conv or dense layer/
    );
    expectSpecError(
      mutate((s) => s.layers.splice(3, 0, { type: 'relu' })),
      'layers[3]',
      /relu must follow a conv or dense layer/
    );
    // Without batch norm is fine: conv relu.
    expect(() => validateSpec(mutate((s) => s.layers.splice(1, 1)))).not.toThrow();
  });

  test('training block', () => {
    expectSpecError(
      mutate((s) => (s.training.optimizer = 'rmsprop')),
      'training.optimizer',
      /adam/
    );
    expectSpecError(
      mutate((s) => (s.training.batchSize = 0.5)),
      'training.batchSize',
      /integer/
    );
  });
  test('property: any JSON value either validates or throws SpecError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        try {
          validateSpec(v);
        } catch (e) {
          expect(e).toBeInstanceOf(SpecError);
        }
      }),
      { numRuns: 300, seed: 7 }
    );
  });
  test('property: single-field corruption of a preset throws SpecError, never a crash', () => {
    const base = digits() as unknown as Loose;
    fc.assert(
      fc.property(fc.nat(base.layers.length - 1), fc.string(), fc.jsonValue(), (i, key, value) => {
        const s = JSON.parse(JSON.stringify(base));
        s.layers[i][key] = value;
        try {
          validateSpec(s);
        } catch (e) {
          expect(e).toBeInstanceOf(SpecError);
        }
      }),
      { numRuns: 300, seed: 11 }
    );
  });
});

describe('overrides and resolution', () => {
  test('4-bit exponential, kwta 0.25 reaches every layer', () => {
    const base = digits();
    base.layers[0] = { ...base.layers[0], weightBits: 8 } as ModelSpec['layers'][number];
    const s = applyOverrides(base, { weightBits: 4, weightScheme: 'exponential', kwta: 0.25 });
    const m = resolveSpec(s, 10);
    const weighted = m.layers.filter((l) => l.kernelShape);
    expect(weighted.map((l) => [l.weightBits, l.weightScheme])).toEqual([
      [4, 'exponential'],
      [4, 'exponential'],
      [4, 'exponential']
    ]);
    expect(
      s.layers.filter((l) => l.type === 'kwta').map((l) => (l as { fraction: number }).fraction)
    ).toEqual([0.25, 0.25]);
    expect(digits().quant.weightBits).toBe(8);
  });
  test('bad override is rejected with the spec name', () => {
    expect(() => applyOverrides(digits(), { kwta: 0 })).toThrow(
      /digits with overrides: layers\[4\]\.fraction/
    );
  });
  test('classifier/class-count mismatch and < 2 classes', () => {
    const s = digits();
    s.layers[s.layers.length - 1] = { type: 'dense', units: 3 };
    expect(() => resolveSpec(s, 4)).toThrow(/3 outputs but the data has 4 classes/);
    expect(() => resolveSpec(digits(), 1)).toThrow(/at least 2 classes/);
  });
});
