/**
 * One long recording through one of the paths whose peak memory long-audio.ts bounds, in a
 * process of its own so that its peak resident memory is that path's alone. Prints one JSON line:
 * `{ "mode", "code", "maxRssMB", "out" }`.
 * Usage: tsx test/fuzz/long-audio-child.ts predict|stream|background MODEL FILE-OR-DATASET
 */
import { main, type Io } from '../../cli/quench';

const [mode, model, input] = process.argv.slice(2);
const ARGS: Record<string, string[]> = {
  predict: ['predict', '--model', model, input],
  stream: ['stream', '--model', model, '--audio', input, '--json'],
  // A dataset folder whose background class holds the recording: read, cut into 1 s clips and
  // featurised as training and `quench eval` read it.
  background: ['eval', '--model', model, '--data', input, '--json']
};
if (!ARGS[mode]) throw new Error(`mode must be one of ${Object.keys(ARGS).join(', ')}`);
let out = '';
const io: Io = {
  out: (s) => (out += `${s}\n`),
  err: () => {},
  isTTY: false,
  now: () => performance.now()
};
const code = await main(ARGS[mode], io);
const maxRssMB = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ mode, code, maxRssMB, out: out.slice(0, 2000) }));
