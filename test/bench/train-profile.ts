/**
 * Where a training step's time goes: per preset and setting (k-WTA and fake quantization on and
 * off), the wall time of a step against the time spent inside backend kernels (tf.profile), the
 * number of kernel dispatches per step, and the kernels that cost most. What is left of the wall
 * time after the kernels is dispatch, allocation, autodiff bookkeeping and host work (k-WTA
 * masks, quantizers, read-backs).
 * Usage: tsx test/bench/train-profile.ts [--steps N] [--presets a,b] [--top N]
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import { argValue, machineLine, table, writeResult } from './bench-util';
import { SETTINGS, stepRunner, type Setting } from './train-setup';

interface KernelRow {
  name: string;
  calls: number;
  ms: number;
}

interface ProfileRow {
  preset: string;
  setting: Setting;
  wallMs: number;
  kernelMs: number;
  dispatches: number;
  top: KernelRow[];
}

async function profile(preset: string, setting: Setting, steps: number): Promise<ProfileRow> {
  const run = stepRunner(preset, setting);
  try {
    run.step(); // warm-up
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) run.step();
    const wallMs = (performance.now() - t0) / steps;
    const info = await tf.profile(() => {
      for (let i = 0; i < steps; i++) run.step();
    });
    const byName = new Map<string, KernelRow>();
    let kernelMs = 0;
    for (const k of info.kernels) {
      const ms = k.kernelTimeMs as number;
      kernelMs += ms;
      const row = byName.get(k.name) ?? { name: k.name, calls: 0, ms: 0 };
      row.calls++;
      row.ms += ms;
      byName.set(k.name, row);
    }
    const top = [...byName.values()]
      .map((r) => ({ name: r.name, calls: r.calls / steps, ms: r.ms / steps }))
      .sort((a, b) => b.ms - a.ms);
    return {
      preset,
      setting,
      wallMs,
      kernelMs: kernelMs / steps,
      dispatches: info.kernels.length / steps,
      top
    };
  } finally {
    run.dispose();
  }
}

const steps = Number(argValue('--steps') ?? 10);
const topN = Number(argValue('--top') ?? 8);
const presets = (argValue('--presets') ?? 'audio-small,vision-small').split(',');
await initTrainingBackend({ backend: 'wasm' });
const loadBefore = loadavg()[0];
const rows: ProfileRow[] = [];
for (const preset of presets) {
  for (const setting of SETTINGS) {
    const r = await profile(preset, setting, steps);
    rows.push(r);
    console.log(
      `\n${preset} ${setting}: ${r.wallMs.toFixed(1)} ms/step, kernels ${r.kernelMs.toFixed(1)} ms ` +
        `(${((100 * r.kernelMs) / r.wallMs).toFixed(0)} %), ${r.dispatches.toFixed(0)} dispatches`
    );
    for (const k of r.top.slice(0, topN)) {
      console.log(
        `  ${k.name.padEnd(28)} ${k.ms.toFixed(2).padStart(7)} ms  ×${k.calls.toFixed(0)}`
      );
    }
  }
}
const load = `Load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (2 cores).`;
console.log(load);
console.log(machineLine());
const fmtTop = (r: ProfileRow): string =>
  r.top
    .slice(0, 5)
    .map((k) => `${k.name} ${k.ms.toFixed(1)} (×${k.calls.toFixed(0)})`)
    .join(', ');
writeResult(
  'train-profile',
  { steps, rows, machine: machineLine() },
  [
    '## Where a training step goes (wasm backend, batch as in the preset)',
    '',
    `tf.profile over ${steps} steps after one warm-up; kernel time is measured around each backend kernel (with the timer's own overhead, so it can pass 100 %), the rest of the wall time is dispatch, autodiff bookkeeping and host work. ${load}`,
    '',
    table(
      [
        'preset',
        'setting',
        'ms / step',
        'in kernels',
        'dispatches / step',
        'top kernels (ms / step)'
      ],
      rows.map((r) => [
        r.preset,
        r.setting,
        r.wallMs.toFixed(1),
        `${((100 * r.kernelMs) / r.wallMs).toFixed(0)} %`,
        r.dispatches.toFixed(0),
        fmtTop(r)
      ])
    )
  ].join('\n')
);
