/**
 * Energy per action on a small accelerator, every value a named parameter with its source
 * (ENERGY.md). 45 nm, 0.9 V: M. Horowitz, "Computing's energy problem (and what we can do about
 * it)", ISSCC 2014. Relative memory costs: Y.-H. Chen et al., "Eyeriss", ISCA 2016. How zero
 * activations are coded when they move: Y.-H. Chen et al., "Eyeriss: an energy-efficient
 * reconfigurable accelerator for deep convolutional neural networks", IEEE JSSC 52(1), 2017.
 */

export interface EnergyParameter {
  value: number;
  unit: 'pJ' | '×' | 'bytes' | 'bits' | 'fraction';
  source: string;
}

const HOROWITZ = 'Horowitz, ISSCC 2014 (45 nm, 0.9 V)';
const EYERISS = 'Chen et al., Eyeriss, ISCA 2016 (normalised to one MAC)';
const EYERISS_RLC = 'Chen et al., Eyeriss, IEEE JSSC 2017, Sec. V-B (run-length coding)';
const ASSUMPTION = 'Quench assumption (shown in the UI)';

export const ENERGY_TABLE = {
  intAdd8: { value: 0.03, unit: 'pJ', source: HOROWITZ },
  intAdd32: { value: 0.1, unit: 'pJ', source: HOROWITZ },
  intMul8: { value: 0.2, unit: 'pJ', source: HOROWITZ },
  intMul32: { value: 3.1, unit: 'pJ', source: HOROWITZ },
  fp16Add: { value: 0.4, unit: 'pJ', source: HOROWITZ },
  fp16Mul: { value: 1.1, unit: 'pJ', source: HOROWITZ },
  fp32Add: { value: 0.9, unit: 'pJ', source: HOROWITZ },
  fp32Mul: { value: 3.7, unit: 'pJ', source: HOROWITZ },
  sram8KBRead64: { value: 10, unit: 'pJ', source: HOROWITZ },
  sram32KBRead64: { value: 20, unit: 'pJ', source: HOROWITZ },
  sram1MBRead64: { value: 100, unit: 'pJ', source: HOROWITZ },
  dramAccess64Low: { value: 1300, unit: 'pJ', source: HOROWITZ },
  dramAccess64High: { value: 2600, unit: 'pJ', source: HOROWITZ },
  /** The DRAM cost used: the middle of Horowitz's 1.3–2.6 nJ range. */
  dramAccess64: { value: 1950, unit: 'pJ', source: `${HOROWITZ}, middle of the 1.3–2.6 nJ range` },
  eyerissRegisterFile: { value: 1, unit: '×', source: EYERISS },
  eyerissNeighbourPE: { value: 2, unit: '×', source: EYERISS },
  eyerissGlobalBuffer: { value: 6, unit: '×', source: EYERISS },
  eyerissDram: { value: 200, unit: '×', source: EYERISS },
  /**
   * Run-length coding of activations: a (zero run, value) pair spends this many bits on the run;
   * a 64-bit word holds as many pairs as fit in 63 bits (the last bit marks the final word).
   * Eyeriss: 5-bit runs, 16-bit values, three pairs per word.
   */
  rlcRunBits: { value: 5, unit: 'bits', source: EYERISS_RLC },
  rlcWordBits: { value: 64, unit: 'bits', source: EYERISS_RLC },
  rlcFlagBits: { value: 1, unit: 'bits', source: EYERISS_RLC },
  /**
   * Weights stay in on-chip SRAM between inferences when they fit the largest cited array; a
   * larger model streams them from DRAM on every inference.
   */
  onChipBytes: { value: 1024 * 1024, unit: 'bytes', source: `${HOROWITZ}: the largest SRAM cited` },
  /** A zero-gated MAC still costs this fraction of a full one (clock and operand latching). */
  gatedMacFraction: { value: 0.1, unit: 'fraction', source: ASSUMPTION },
  /** CR2032 coin cell: about 225 mAh at 3 V. */
  coinCellMilliampHours: { value: 225, unit: 'fraction', source: 'CR2032 datasheets (typical)' },
  coinCellVolts: { value: 3, unit: 'fraction', source: 'CR2032 datasheets (typical)' }
} satisfies Record<string, EnergyParameter>;

export type EnergyTable = { [K in keyof typeof ENERGY_TABLE]: number };

/** The table's values as plain numbers (what the model computes with; callers may override). */
export function defaultEnergyTable(): EnergyTable {
  const out = {} as EnergyTable;
  for (const [k, p] of Object.entries(ENERGY_TABLE)) out[k as keyof EnergyTable] = p.value;
  return out;
}

/** Adder energy at b bits: linear in width, 0.03 pJ at 8 bits (the cited 32-bit value at 32). */
export function addPj(bits: number, t: EnergyTable): number {
  return bits === 32 ? t.intAdd32 : (t.intAdd8 * bits) / 8;
}

/**
 * Multiplier energy for a wb × ab-bit product: quadratic in width (area ∝ wb·ab), 0.2 pJ at 8×8
 * (the cited 32-bit value at 32×32).
 */
export function mulPj(weightBits: number, actBits: number, t: EnergyTable): number {
  return weightBits === 32 && actBits === 32 ? t.intMul32 : (t.intMul8 * weightBits * actBits) / 64;
}

/** Cost of reading or writing one 64-bit word from the smallest array that holds `bytes`. */
export function memoryWordPj(bytes: number, t: EnergyTable): { pj: number; where: string } {
  if (bytes <= 8 * 1024) return { pj: t.sram8KBRead64, where: 'SRAM 8 KB' };
  if (bytes <= 32 * 1024) return { pj: t.sram32KBRead64, where: 'SRAM 32 KB' };
  if (bytes <= t.onChipBytes) return { pj: t.sram1MBRead64, where: 'SRAM 1 MB' };
  return { pj: t.dramAccess64, where: 'DRAM' };
}

/**
 * 64-bit words that move `values` activations of `bits` bits: dense, or — given the tensor's
 * run-length pairs (core/engine/counters.ts) — run-length coded as Eyeriss codes them, whichever
 * is shorter (one flag per tensor says which; the first layer's input is rarely sparse).
 * Pairs per word: floor((64 − flag bits) / (run bits + bits)); at 16 bits that is Eyeriss's 3.
 */
export function activationWords(
  values: number,
  bits: number,
  runPairs: number | undefined,
  t: EnergyTable
): { words: number; denseWords: number } {
  const denseWords = Math.ceil((values * bits) / t.rlcWordBits);
  if (runPairs === undefined) return { words: denseWords, denseWords };
  const perWord = Math.max(1, Math.floor((t.rlcWordBits - t.rlcFlagBits) / (t.rlcRunBits + bits)));
  return { words: Math.min(denseWords, Math.ceil(runPairs / perWord)), denseWords };
}
