import type { ModelSpec, WeightScheme } from './model-spec';
import { validateSpec } from './validate-spec';

/** Settings a person picks for a whole network (the CLI flags and the Train view). */
export interface SpecOverrides {
  weightBits?: number;
  weightScheme?: WeightScheme;
  actBits?: number;
  /** Fraction of channels every k-WTA layer keeps; 1 turns k-WTA off. */
  kwta?: number;
}

/**
 * Returns a copy of `spec` with the overrides applied to every layer: a network-wide setting
 * replaces the per-layer ones, so "4-bit weights" means every weight layer is 4-bit.
 */
export function applyOverrides(spec: ModelSpec, o: SpecOverrides): ModelSpec {
  // A JSON round trip is a deep copy that works in every runtime core targets.
  const out = JSON.parse(JSON.stringify(spec)) as ModelSpec;
  if (o.weightBits !== undefined) out.quant.weightBits = o.weightBits;
  if (o.weightScheme !== undefined) out.quant.weightScheme = o.weightScheme;
  if (o.actBits !== undefined) out.quant.actBits = o.actBits;
  out.layers = out.layers.map((layer) => {
    const l = { ...layer } as Record<string, unknown>;
    if (o.weightBits !== undefined) delete l.weightBits;
    if (o.weightScheme !== undefined) delete l.weightScheme;
    if (o.actBits !== undefined) delete l.actBits;
    if (o.kwta !== undefined && l.type === 'kwta') l.fraction = o.kwta;
    return l as unknown as ModelSpec['layers'][number];
  });
  return validateSpec(out, `${spec.name} with overrides`);
}
