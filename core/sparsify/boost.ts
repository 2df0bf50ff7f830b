/**
 * Duty-cycle boosting as in Numenta's k-winners layers ("How Can We Be So Dense?", 2019): channels
 * that win less often than the target density get their values scaled up when winners are chosen.
 */

/**
 * EMA update of per-channel duty cycles in place: duty_c ← m·duty_c + (1 − m)·wins_c/locations,
 * where `wins` [C] counts the locations channel c won in the batch. Returns `duty`.
 */
export function updateDutyCycles(
  duty: Float32Array,
  wins: ArrayLike<number>,
  locations: number,
  momentum: number
): Float32Array {
  if (wins.length !== duty.length) {
    throw new RangeError(`duty cycles: ${wins.length} counts for ${duty.length} channels`);
  }
  if (locations <= 0) return duty;
  for (let c = 0; c < duty.length; c++) {
    duty[c] = momentum * duty[c] + (1 - momentum) * (wins[c] / locations);
  }
  return duty;
}

/**
 * Boost factors b_c = exp(−strength·(duty_c − targetDensity)), [C]. A channel at the target gets
 * 1, a rarely winning one more than 1. strength 0 gives all ones.
 */
export function boostFactors(
  duty: Float32Array,
  targetDensity: number,
  strength: number
): Float32Array {
  return Float32Array.from(duty, (d) => Math.exp(-strength * (d - targetDensity)));
}
