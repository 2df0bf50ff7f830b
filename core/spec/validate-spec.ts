import {
  FLOAT_BITS,
  SPEC_VERSION,
  WEIGHT_SCHEMES,
  type LayerSpec,
  type ModelSpec,
  type QuantDefaults
} from './model-spec';
import { resolveSpec } from './resolve';
import { SpecError } from './spec-error';

export { SpecError };

type Obj = Record<string, unknown>;

const LAYER_FIELDS: Record<LayerSpec['type'], string[]> = {
  conv: ['filters', 'kernel', 'stride', 'padding', 'weightBits', 'weightScheme'],
  batchnorm: ['momentum', 'epsilon'],
  relu: ['actBits'],
  kwta: ['fraction', 'boostStrength'],
  maxpool: ['size', 'stride', 'padding'],
  avgpool: ['size', 'stride', 'padding', 'actBits'],
  gap: ['actBits'],
  dense: ['units', 'weightBits', 'weightScheme']
};

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkInt(v: unknown, path: string, min: number, max: number, source: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new SpecError(
      path,
      `must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`,
      source
    );
  }
}

/** Weight and activation widths: 1–8 bits, or 32 for float. */
function checkBits(v: unknown, path: string, source: string): void {
  if (v === FLOAT_BITS) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 8) {
    throw new SpecError(
      path,
      `must be 1–8 bits or ${FLOAT_BITS} (float), got ${JSON.stringify(v)}`,
      source
    );
  }
}

function checkScheme(v: unknown, path: string, source: string): void {
  if (!WEIGHT_SCHEMES.includes(v as never)) {
    throw new SpecError(
      path,
      `must be one of ${WEIGHT_SCHEMES.join(', ')}, got ${JSON.stringify(v)}`,
      source
    );
  }
}

function checkLayer(layer: unknown, i: number, last: boolean, source: string): void {
  const at = `layers[${i}]`;
  if (!isObj(layer)) throw new SpecError(at, 'must be an object', source);
  const type = layer.type as LayerSpec['type'];
  if (!(type in LAYER_FIELDS)) {
    throw new SpecError(`${at}.type`, `unknown layer type ${JSON.stringify(layer.type)}`, source);
  }
  for (const key of Object.keys(layer)) {
    if (key !== 'type' && key !== 'name' && !LAYER_FIELDS[type].includes(key)) {
      throw new SpecError(`${at}.${key}`, `is not a field of a ${type} layer`, source);
    }
  }
  if (layer.name !== undefined && (typeof layer.name !== 'string' || layer.name.length === 0)) {
    throw new SpecError(`${at}.name`, 'must be a non-empty string', source);
  }
  const has = (k: string): boolean => layer[k] !== undefined;
  if (has('weightBits')) checkBits(layer.weightBits, `${at}.weightBits`, source);
  if (has('weightScheme')) checkScheme(layer.weightScheme, `${at}.weightScheme`, source);
  if (has('actBits')) checkBits(layer.actBits, `${at}.actBits`, source);
  if (has('stride')) checkInt(layer.stride, `${at}.stride`, 1, 8, source);
  if (has('padding') && layer.padding !== 'same' && layer.padding !== 'valid') {
    throw new SpecError(`${at}.padding`, `must be "same" or "valid"`, source);
  }
  switch (type) {
    case 'conv': {
      checkInt(layer.filters, `${at}.filters`, 1, 1024, source);
      const k = layer.kernel;
      if (Array.isArray(k)) {
        if (k.length !== 2)
          throw new SpecError(`${at}.kernel`, 'must be a number or [h, w]', source);
        k.forEach((v, j) => checkInt(v, `${at}.kernel[${j}]`, 1, 15, source));
      } else checkInt(k, `${at}.kernel`, 1, 15, source);
      break;
    }
    case 'batchnorm':
      if (
        has('momentum') &&
        !(typeof layer.momentum === 'number' && layer.momentum >= 0 && layer.momentum < 1)
      ) {
        throw new SpecError(`${at}.momentum`, 'must be a number in [0, 1)', source);
      }
      if (
        has('epsilon') &&
        !(typeof layer.epsilon === 'number' && layer.epsilon > 0 && layer.epsilon < 1)
      ) {
        throw new SpecError(`${at}.epsilon`, 'must be a number in (0, 1)', source);
      }
      break;
    case 'kwta':
      if (!(typeof layer.fraction === 'number' && layer.fraction > 0 && layer.fraction <= 1)) {
        throw new SpecError(
          `${at}.fraction`,
          `must be a number in (0, 1], got ${JSON.stringify(layer.fraction)}`,
          source
        );
      }
      if (
        has('boostStrength') &&
        !(
          typeof layer.boostStrength === 'number' &&
          layer.boostStrength >= 0 &&
          layer.boostStrength <= 100
        )
      ) {
        throw new SpecError(`${at}.boostStrength`, 'must be a number from 0 to 100', source);
      }
      break;
    case 'maxpool':
    case 'avgpool':
      checkInt(layer.size, `${at}.size`, 1, 16, source);
      break;
    case 'dense':
      if (has('units')) checkInt(layer.units, `${at}.units`, 1, 4096, source);
      else if (!last)
        throw new SpecError(
          `${at}.units`,
          'is required except on the last (classifier) layer',
          source
        );
      break;
    default:
      break;
  }
}

function checkQuant(q: unknown, source: string): asserts q is QuantDefaults {
  if (!isObj(q)) throw new SpecError('quant', 'must be an object', source);
  checkBits(q.weightBits, 'quant.weightBits', source);
  checkScheme(q.weightScheme, 'quant.weightScheme', source);
  checkBits(q.actBits, 'quant.actBits', source);
  checkBits(q.inputBits, 'quant.inputBits', source);
}

/**
 * The layer orders the integer engine runs (DESIGN.md, integer engine notes), checked before any
 * training so that every trained model converts: the first layer is conv or dense (the input is
 * signed; pooling and k-WTA work on the unsigned codes a relu makes); batch norm directly follows
 * a conv or dense layer (it is folded into that layer's requantization); relu follows a conv or
 * dense layer, or its batch norm; every conv or dense layer but the final classifier is followed
 * by [batchnorm] relu.
 */
function checkEngineOrder(layers: Obj[], source: string): void {
  const weight = (l: Obj | undefined) => l?.type === 'conv' || l?.type === 'dense';
  const need = (ok: boolean, i: number, problem: string) => {
    if (!ok) throw new SpecError(`layers[${i}]`, problem, source);
  };
  need(weight(layers[0]), 0, 'the first layer must be conv or dense');
  layers.forEach((l, i) => {
    const prev = layers[i - 1];
    if (l.type === 'batchnorm')
      need(weight(prev), i, 'batchnorm must follow a conv or dense layer');
    if (l.type === 'relu') {
      need(
        weight(prev) || (prev?.type === 'batchnorm' && weight(layers[i - 2])),
        i,
        'relu must follow a conv or dense layer or its batchnorm'
      );
    }
    if (weight(l) && i < layers.length - 1) {
      const next = layers[i + 1]?.type === 'batchnorm' ? layers[i + 2] : layers[i + 1];
      need(
        next?.type === 'relu',
        i,
        `a ${String(l.type)} layer other than the classifier must be followed by [batchnorm] relu (the integer engine requantizes there)`
      );
    }
  });
}

/**
 * Checks an untrusted value (parsed JSON) against the spec grammar and returns it typed.
 * Throws {@link SpecError} naming the first offending field. Shapes are checked too (see
 * `inferShapes`), so a spec that passes can be built.
 */
export function validateSpec(value: unknown, source = 'model spec'): ModelSpec {
  if (!isObj(value)) throw new SpecError('(root)', 'must be a JSON object', source);
  if (value.version !== SPEC_VERSION) {
    throw new SpecError(
      'version',
      `must be ${SPEC_VERSION}, got ${JSON.stringify(value.version)}`,
      source
    );
  }
  if (typeof value.name !== 'string' || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(value.name)) {
    throw new SpecError('name', 'must be 1–64 lowercase letters, digits or dashes', source);
  }
  const input = value.input;
  if (!isObj(input)) throw new SpecError('input', 'must be an object', source);
  if (input.kind !== 'audio' && input.kind !== 'image') {
    throw new SpecError('input.kind', 'must be "audio" or "image"', source);
  }
  if (!Array.isArray(input.shape) || input.shape.length !== 3) {
    throw new SpecError('input.shape', 'must be [height, width, channels]', source);
  }
  input.shape.forEach((v, j) => checkInt(v, `input.shape[${j}]`, 1, j === 2 ? 4 : 512, source));
  if (value.features !== undefined && !isObj(value.features)) {
    throw new SpecError('features', 'must be an object', source);
  }
  checkQuant(value.quant, source);
  if (!Array.isArray(value.layers) || value.layers.length === 0) {
    throw new SpecError('layers', 'must be a non-empty array', source);
  }
  value.layers.forEach((l, i, all) => checkLayer(l, i, i === all.length - 1, source));
  const lastLayer = value.layers[value.layers.length - 1] as Obj;
  if (lastLayer.type !== 'dense') {
    throw new SpecError(
      `layers[${value.layers.length - 1}]`,
      'the last layer must be dense (the classifier)',
      source
    );
  }
  checkEngineOrder(value.layers as Obj[], source);
  if (value.training !== undefined) checkTraining(value.training, source);
  const spec = value as unknown as ModelSpec;
  try {
    resolveSpec(spec, typeof lastLayer.units === 'number' ? lastLayer.units : 2);
  } catch (e) {
    if (e instanceof SpecError) throw new SpecError(e.path, e.problem, source);
    throw e;
  }
  return spec;
}

function checkTraining(t: unknown, source: string): void {
  if (!isObj(t)) throw new SpecError('training', 'must be an object', source);
  if (t.optimizer !== undefined && t.optimizer !== 'adam' && t.optimizer !== 'sgd') {
    throw new SpecError('training.optimizer', 'must be "adam" or "sgd"', source);
  }
  const positive = (k: string, max: number): void => {
    const v = t[k];
    if (v !== undefined && !(typeof v === 'number' && v > 0 && v <= max)) {
      throw new SpecError(`training.${k}`, `must be a number in (0, ${max}]`, source);
    }
  };
  positive('learningRate', 10);
  if (t.l2 !== undefined && !(typeof t.l2 === 'number' && t.l2 >= 0 && t.l2 <= 1)) {
    throw new SpecError('training.l2', 'must be a number in [0, 1]', source);
  }
  if (t.batchSize !== undefined) checkInt(t.batchSize, 'training.batchSize', 1, 4096, source);
  if (t.epochs !== undefined) checkInt(t.epochs, 'training.epochs', 1, 1000, source);
  if (t.schedule !== undefined && t.schedule !== 'cosine' && t.schedule !== 'constant') {
    throw new SpecError('training.schedule', 'must be "cosine" or "constant"', source);
  }
}
