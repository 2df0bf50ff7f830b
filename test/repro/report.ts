/** The reproduction's sections: tables over seeds and the verdict each claim gets from them. */
import { table } from '../bench/bench-util';
import {
  KWTA,
  type DatasetName,
  type IntResult,
  type JobResult,
  type PtqResult,
  type Scale,
  type Variant
} from './jobs';
import { compare, mean, numSd, pct, pctSd, tally } from './stats';

export interface Point {
  dataset: string;
  study: string;
  config: string;
  accuracy: number;
  energyPj: number;
}

const nj = (xs: number[]): string => `${(mean(xs) / 1000).toFixed(1)}`;
const label = (d: DatasetName, s: Scale) =>
  `${d === 'digits' ? 'digits' : 'Fashion-MNIST'} (${s[d].train} train / ${s[d].test} test)`;

/** Smallest width whose mean accuracy is within 1 point of the float mean, or undefined. */
function within(bits: number[], accs: number[][], float: number): number | undefined {
  const i = accs.findIndex((a) => mean(a) >= float - 0.01);
  return i < 0 ? undefined : bits[i];
}

export function sectionA(dataset: DatasetName, s: Scale, rs: PtqResult[]): string {
  const float = rs.map((r) => r.floatAccuracy);
  const schemes = ['perChannel', 'perLayer', 'exponential', 'kmeans'] as const;
  const names = [
    'linear per channel',
    'linear per layer',
    'exponential (per layer)',
    'k-means (per layer)'
  ];
  const col = (k: (typeof schemes)[number]) => s.ptqBits.map((_, i) => rs.map((r) => r[k][i]));
  const w = Object.fromEntries(
    schemes.map((k) => [k, within(s.ptqBits, col(k), mean(float))])
  ) as Record<(typeof schemes)[number], number | undefined>;
  // The same test per seed, to see whether the ordering is stable.
  const perSeed = rs.map((r) => {
    const f = (k: (typeof schemes)[number]) => {
      const i = r[k].findIndex((a) => a >= r.floatAccuracy - 0.01);
      return i < 0 ? Infinity : s.ptqBits[i];
    };
    return f('perLayer') - f('exponential');
  });
  const gain = (base: number | undefined) =>
    w.exponential === undefined || base === undefined ? undefined : base - w.exponential;
  const g = gain(w.perLayer);
  const verdict =
    g === undefined
      ? 'Not decidable at these widths.'
      : g >= 1
        ? `Holds here: ${g} bit(s) fewer than per-layer linear.`
        : `Does not hold here: ${g === 0 ? 'the same width as' : `${-g} bit(s) more than`} per-layer linear.`;
  const gc = gain(w.perChannel);
  return [
    `## A. Post-training quantization — ${label(dataset, s)}`,
    '',
    `Float32 model (no k-WTA, ${s.epochs} epochs): ${pctSd(float)}. Weights snapped after training, no retraining; activations and input float. Per layer = one scale (or one set of levels) for a whole layer, the paper's setting; per channel = one scale per output channel, what Quench deploys.`,
    '',
    table(
      ['weight bits', ...names],
      s.ptqBits.map((b, i) => [b, ...schemes.map((k) => pctSd(rs.map((r) => r[k][i])))])
    ),
    '',
    `Smallest width whose mean is within 1 point of float: ${schemes.map((k, i) => `${names[i]} ${w[k] ?? '> 8'}`).join(', ')} bits.`,
    `**Claim (§4): exponential needs 1–2 fewer bits than linear.** ${verdict} Against per-channel linear: ${gc === undefined ? 'not decidable' : gc >= 1 ? `${gc} bit(s) fewer` : gc === 0 ? 'the same width' : `${-gc} bit(s) more`}. Seed by seed (exponential vs per-layer linear): ${perSeed.map((d) => (Number.isFinite(d) ? (d > 0 ? `${d} fewer` : d === 0 ? 'same' : `${-d} more`) : 'undecided')).join(', ')}.`
  ].join('\n');
}

export function sectionB(
  s: Scale,
  rs: Extract<JobResult, { kind: 'kmeans' }>[],
  points: Point[]
): string {
  const qat = rs.map((r) => r.qat);
  const it = rs.map((r) => r.iterative);
  const float = rs.map((r) => r.floatAccuracy);
  points.push(point('digits', 'B', '4-bit k-means QAT', qat));
  points.push(point('digits', 'B', '4-bit k-means iterative', it));
  const acc = (xs: IntResult[]) => xs.map((x) => x.accuracy);
  const reached = mean(acc(it)) >= mean(float) - 0.01;
  return [
    `## B. k-means weight sharing with retraining — digits (${s.studyTrain} train / ${s.digits.test} test)`,
    '',
    `4-bit k-means weights (16 shared values per layer), 4-bit inputs and feature maps, integer engine. Quantization-aware training: ${s.epochs} epochs with the k-means levels in the forward pass. Iterative: ${s.epochs} float epochs, then up to ${s.iterativeRounds} rounds of snapping to the k-means levels and ${s.iterativeEpochs} epochs of retraining, kept while validation improves. Full precision: the same net in float32 throughout, same images.`,
    '',
    table(
      ['training', 'test accuracy', 'energy per inference (nJ)'],
      [
        ['full precision (float32 weights, activations, input)', pctSd(float), '—'],
        ['4-bit, quantization-aware', pctSd(acc(qat)), nj(qat.map((x) => x.energyPj))],
        ['4-bit, iterative k-means', pctSd(acc(it)), nj(it.map((x) => x.energyPj))]
      ]
    ),
    '',
    `**Claim (§3): k-means + retraining reaches full-precision accuracy at 4–5 bits.** ${reached ? 'Holds' : 'Does not hold'} here (within 1 point of the mean): ${pctSd(acc(it))} against ${pctSd(float)}.`
  ].join('\n');
}

function point(dataset: string, study: string, config: string, rs: IntResult[]): Point {
  return {
    dataset,
    study,
    config,
    accuracy: mean(rs.map((r) => r.accuracy)),
    energyPj: mean(rs.map((r) => r.energyPj))
  };
}

type Lookup<K> = (key: K, v: Variant) => IntResult[];

function kwtaRows<K extends number>(
  keys: K[],
  get: Lookup<K>
): { rows: (string | number)[][]; arch: string[]; energy: string[]; ratio: string } {
  const arch: string[] = [];
  const energy: string[] = [];
  const ratios: number[] = [];
  const rows = keys.map((k) => {
    const [kw, dense, narrow] = (['kwta', 'dense', 'narrow'] as const).map((v) => get(k, v));
    const acc = (xs: IntResult[]) => xs.map((x) => x.accuracy);
    arch.push(compare(acc(kw), acc(dense)));
    energy.push(compare(acc(kw), acc(narrow)));
    ratios.push(mean(narrow.map((x) => x.energyPj)) / mean(kw.map((x) => x.energyPj)));
    return [
      k,
      pctSd(acc(kw)),
      pctSd(acc(dense)),
      pctSd(acc(narrow)),
      `${nj(kw.map((x) => x.energyPj))} / ${nj(dense.map((x) => x.energyPj))} / ${nj(narrow.map((x) => x.energyPj))}`
    ];
  });
  const ratio = `the narrower net used ${ratios.map((r) => `${(100 * r).toFixed(0)} %`).join(', ')} of the k-WTA net's energy`;
  return { rows, arch, energy, ratio };
}

const kwtaHeader = (first: string) => [
  first,
  `k-WTA ${100 * KWTA} %`,
  'no k-WTA, same net',
  'no k-WTA, narrower (≈ equal energy)',
  'energy nJ (k-WTA / same / narrower)'
];

export function sectionC(s: Scale, get: Lookup<number>, points: Point[]): string {
  const { rows, arch, energy, ratio } = kwtaRows(s.lowBits, get);
  for (const b of s.lowBits)
    for (const v of ['kwta', 'dense', 'narrow'] as const)
      points.push(point('digits', 'C', `${b}-bit prob. ${v}`, get(b, v)));
  return [
    `## C. k-WTA and probabilistic low-precision learning — digits (${s.studyTrain} train / ${s.digits.test} test)`,
    '',
    `Linear weights at the listed width with stochastic rounding to the grid after every step ("probabilistic learning"), 4-bit activations, integer engine; ${s.epochs} epochs.`,
    '',
    table(kwtaHeader('weight bits'), rows),
    '',
    `**Claim (§1): k-WTA makes low-precision learning work better.** At equal architecture: ${tally(arch, 'widths')} At about equal energy (${ratio}): ${tally(energy, 'widths')}`
  ].join('\n');
}

export function sectionD(
  dataset: DatasetName,
  s: Scale,
  get: Lookup<number>,
  points: Point[]
): string {
  const { rows, arch, energy, ratio } = kwtaRows(s.perClass, get);
  for (const n of s.perClass)
    for (const v of ['kwta', 'dense', 'narrow'] as const)
      points.push(point(dataset, 'D', `${n}/class ${v}`, get(n, v)));
  return [
    `## D. Data efficiency — ${dataset === 'digits' ? 'digits' : 'Fashion-MNIST'} (test: ${s[dataset].test} images)`,
    '',
    `4-bit weights and activations; the first n training images of each class; no validation split; ${s.fewEpochs} epochs.`,
    '',
    table(kwtaHeader('images per class'), rows),
    '',
    `**Claim (§1): with few samples k-WTA nets generalise better.** At equal architecture: ${tally(arch, 'sizes')} At about equal energy (${ratio}): ${tally(energy, 'sizes')}`
  ].join('\n');
}

type SparsityRow = Extract<JobResult, { kind: 'sparsity' }>['row'];

export function sectionF(
  s: Scale,
  grid: { optimizers: readonly ('adam' | 'sgd')[]; l2: number[]; batch: number[] },
  get: (opt: 'adam' | 'sgd', l2: number, batch: number) => SparsityRow[],
  points: Point[]
): string {
  const dead = (r: SparsityRow) => r.dead.reduce((a, d) => a + d.neverActive, 0);
  const rows: (string | number)[][] = [];
  for (const opt of grid.optimizers)
    for (const l2 of grid.l2)
      for (const batch of grid.batch) {
        const rs = get(opt, l2, batch);
        if (!rs.length) continue;
        const layers = rs[0].dead.map((d, i) => ({
          name: d.layer,
          filters: d.filters,
          never: rs.map((r) => r.dead[i].neverActive),
          gamma: rs.map((r) => r.dead[i].smallGamma),
          prunable: rs.map((r) => r.dead[i].provablyDead)
        }));
        points.push({
          dataset: 'digits',
          study: 'F',
          config: `8-bit ${opt} L2 ${l2} batch ${batch}`,
          accuracy: mean(rs.map((r) => r.testAccuracy)),
          energyPj: mean(rs.map((r) => r.energyBeforePj))
        });
        rows.push([
          opt === 'adam' ? 'Adam' : 'SGD (momentum 0.9)',
          l2,
          batch,
          pctSd(rs.map((r) => r.testAccuracy)),
          layers.map((l) => `${l.name}: ${numSd(l.never)} (of ${l.filters})`).join(', '),
          layers.map((l) => `${numSd(l.gamma)} / ${numSd(l.prunable)}`).join(', '),
          `${numSd(rs.map((r) => (100 * (r.macsBefore - r.macsAfter)) / r.macsBefore))} %`,
          rs.every((r) => r.identicalAfterPruning) ? 'yes' : 'NO'
        ]);
      }
  const deadOf = (opt: 'adam' | 'sgd', l2: number, batch: number) => get(opt, l2, batch).map(dead);
  const claims: string[] = [];
  const adamVsSgd: string[] = [];
  const smallBatch: string[] = [];
  for (const l2 of grid.l2.filter((x) => x > 0)) {
    for (const b of grid.batch)
      adamVsSgd.push(compare(deadOf('adam', l2, b), deadOf('sgd', l2, b)));
    if (grid.batch.length > 1) {
      const [small, large] = [Math.min(...grid.batch), Math.max(...grid.batch)];
      smallBatch.push(compare(deadOf('adam', l2, small), deadOf('adam', l2, large)));
    }
  }
  claims.push(
    `Adam + L2 leaves more dead filters than SGD + L2: ${tally(adamVsSgd, 'L2 × batch settings')}`
  );
  const noL2 = grid.batch.flatMap((b) => deadOf('adam', 0, b));
  claims.push(
    `No regularisation → no dead filters (Adam, L2 0): ${mean(noL2) === 0 ? 'holds' : 'does not hold'} here (${noL2.join(', ')} per run).`
  );
  for (const b of grid.batch) {
    const means = grid.l2.map((l2) => mean(deadOf('adam', l2, b)));
    const rises = means.every((m, i) => i === 0 || m >= means[i - 1]) && means.at(-1)! > means[0];
    claims.push(
      `Stronger L2 → more dead filters (Adam, batch ${b}, L2 ${grid.l2.join(' → ')}: ${means.map((m) => m.toFixed(1)).join(' → ')} on average): ${rises ? 'holds' : 'does not hold'} here.`
    );
  }
  if (smallBatch.length)
    claims.push(
      `Smaller batches → more dead filters (Adam, batch ${Math.min(...grid.batch)} vs ${Math.max(...grid.batch)}): ${tally(smallBatch, 'L2 settings')}`
    );
  const all = grid.optimizers.flatMap((o) =>
    grid.l2.flatMap((l2) => grid.batch.flatMap((b) => get(o, l2, b)))
  );
  claims.push(
    `Pruning the provably dead filters keeps every prediction: ${all.every((r) => r.identicalAfterPruning) ? 'holds' : 'does NOT hold'} (${all.length} models).`
  );
  return [
    `## F. Implicit filter sparsity — digits (${s.sparsityTrain} train / ${s.digits.test} test, ${s.sparsityEpochs} epochs)`,
    '',
    `The paper's grid: Adam (learning rate 0.003) vs SGD with momentum 0.9 (0.05), L2 on kernels and batch-norm scales from 0 to 1e-2, batch 32 and 128; BatchNorm + ReLU, no k-WTA, 8-bit weights and activations on the integer engine; ${s.sparsityEpochs} epochs (filters die slowly: an earlier run of this script with 20 epochs of 1,000 images left almost none dead). A filter is *dead* (never active) when its output is zero on every training image; *γ below 1e-3* is the paper's second test; *prunable* filters are zero for any input, so removing them cannot change an output.`,
    '',
    table(
      [
        'optimizer',
        'L2',
        'batch',
        'test accuracy',
        'dead filters per conv layer',
        'γ below 1e-3 / prunable, per layer',
        'MACs removed by pruning',
        'predictions unchanged'
      ],
      rows
    ),
    '',
    `**Claims (§2).** ${claims.join(' ')}`
  ].join('\n');
}

export function paretoSection(points: Point[]): { markdown: string; svg: string } {
  const front = points.filter(
    (p) =>
      !points.some(
        (q) =>
          q !== p &&
          q.dataset === p.dataset &&
          q.energyPj <= p.energyPj &&
          q.accuracy >= p.accuracy &&
          (q.energyPj < p.energyPj || q.accuracy > p.accuracy)
      )
  );
  const markdown = [
    '## E. Accuracy vs energy',
    '',
    'Every integer configuration above (means over the seeds), energy per inference from the engine’s counts (ENERGY.md model, zeros skipped). The plot is reproduction-pareto.svg; the Pareto front per data set:',
    '',
    table(
      ['data set', 'configuration', 'test accuracy', 'energy per inference'],
      front
        .sort((a, b) => a.dataset.localeCompare(b.dataset) || a.energyPj - b.energyPj)
        .map((p) => [p.dataset, p.config, pct(p.accuracy), `${(p.energyPj / 1000).toFixed(1)} nJ`])
    ),
    '',
    '![accuracy vs energy](reproduction-pareto.svg)'
  ].join('\n');
  return { markdown, svg: paretoSvg(points) };
}

function paretoSvg(ps: Point[]): string {
  const W = 640;
  const H = 400;
  const e = ps.map((p) => Math.log10(p.energyPj));
  const [e0, e1] = [Math.min(...e) - 0.1, Math.max(...e) + 0.1];
  const [a0, a1] = [Math.min(...ps.map((p) => p.accuracy)) - 0.02, 1];
  const x = (v: number) => 60 + ((Math.log10(v) - e0) / (e1 - e0)) * (W - 80);
  const y = (v: number) => H - 40 - ((v - a0) / (a1 - a0)) * (H - 60);
  const colors: Record<string, string> = { B: '#2e86de', C: '#c0392b', D: '#27ae60', F: '#8e44ad' };
  const dots = ps
    .map(
      (p) =>
        `<circle cx="${x(p.energyPj).toFixed(1)}" cy="${y(p.accuracy).toFixed(1)}" r="5" fill="${colors[p.study] ?? '#555'}" fill-opacity="${p.dataset === 'digits' ? 1 : 0.45}"><title>${p.dataset}: ${p.config} — ${pct(p.accuracy)}, ${(p.energyPj / 1000).toFixed(1)} nJ</title></circle>`
    )
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<title>Accuracy vs energy per inference</title>
<rect width="${W}" height="${H}" fill="white"/>
<line x1="60" y1="${H - 40}" x2="${W - 20}" y2="${H - 40}" stroke="#333"/><line x1="60" y1="20" x2="60" y2="${H - 40}" stroke="#333"/>
<text x="${W / 2}" y="${H - 8}" text-anchor="middle">energy per inference (nJ, log scale)</text>
<text x="14" y="${H / 2}" transform="rotate(-90 14 ${H / 2})" text-anchor="middle">test accuracy</text>
<text x="60" y="${H - 24}">${(10 ** e0 / 1000).toFixed(1)}</text><text x="${W - 60}" y="${H - 24}">${(10 ** e1 / 1000).toFixed(1)}</text>
<text x="20" y="${y(a0) + 4}">${pct(a0)}</text><text x="20" y="${y(a1) + 4}">${pct(a1)}</text>
${dots}
<text x="${W - 220}" y="30" fill="#2e86de">● B k-means</text><text x="${W - 220}" y="46" fill="#c0392b">● C low-bit ± k-WTA</text><text x="${W - 220}" y="62" fill="#27ae60">● D few samples ± k-WTA</text><text x="${W - 220}" y="78" fill="#8e44ad">● F optimizer / L2 / batch</text><text x="${W - 220}" y="94" fill="#555">(faint: Fashion-MNIST)</text>
</svg>
`;
}
