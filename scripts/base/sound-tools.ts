/**
 * The external programs the sound corpus is made with — espeak-ng and flite speak, one sox call
 * resamples a take and applies its whole effect chain — run by a pool of long-lived worker shells,
 * with audio passed through files in the corpus's temp folder (raw float32 into and out of sox, so
 * nothing is quantised between steps).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeWav, toMono } from '../../core/features/wav';
import type { Effects, Tts } from './corpus-recipe';

/** Debian package of each program, for the message when one is missing. */
const PACKAGES: Record<string, string> = { 'espeak-ng': 'espeak-ng', flite: 'flite', sox: 'sox' };

/**
 * Runs `tool` with `args`, feeding `input` on stdin; resolves with its stdout. Rejects with the
 * tool's stderr when it exits non-zero, and names the package to install when it is missing.
 */
export function runTool(
  tool: string,
  args: string[],
  input?: Uint8Array,
  okStatus: readonly number[] = [0]
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new Error(`${tool} is not installed (apt-get install ${PACKAGES[tool] ?? tool})`)
          : e
      )
    );
    child.stdin.on('error', () => {}); // a tool that exits early closes its stdin; its exit code says why
    child.on('close', (code) => {
      if (code !== null && okStatus.includes(code)) resolve(Buffer.concat(out));
      else {
        const text = Buffer.concat(err).toString().trim();
        reject(new Error(`${tool} ${args.join(' ')} exited with ${code}: ${text}`));
      }
    });
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}

/**
 * `espeak-ng --version`, `flite --version` and `sox --version`, each as its version line. flite
 * prints its version and then exits with status 1, so its output is taken whatever the status.
 */
export async function toolVersions(): Promise<Record<string, string>> {
  const versions: Record<string, string> = {};
  for (const tool of ['espeak-ng', 'flite', 'sox']) {
    const text = (await runTool(tool, ['--version'], undefined, [0, 1])).toString();
    const lines = text.split('\n').map((l) => l.trim());
    versions[tool] = (lines.find((l) => /version|v\d/i.test(l)) ?? lines[0]).replace(/\s+/g, ' ');
  }
  return versions;
}

/** espeak-ng's variant names on this machine (`espeak-ng --voices=variant`, the name column). */
export async function espeakVariants(): Promise<Set<string>> {
  const text = (await runTool('espeak-ng', ['--voices=variant'])).toString();
  const names = new Set<string>();
  for (const line of text.split('\n').slice(1)) {
    const m = /!v\/(\S+(?: \S+)*)/.exec(line); // one name has a space: "Mr serious"
    if (m) names.add(m[1]);
  }
  return names;
}

/** Quotes `s` for a POSIX shell command line. */
export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A long-lived `sh` that runs one command at a time, for a pool of workers. Spawning from this
 * (large) Node process costs several ms of its time per child; a small shell forks its tools far
 * more cheaply. Commands write their audio to files; their stdout is discarded and their stderr is
 * kept (in `errFile`) for the error when one fails. The shell ends when its stdin closes, also when
 * this process is killed.
 */
export class ShellWorker {
  private readonly proc: ChildProcessWithoutNullStreams;
  private pending: { resolve: (status: number) => void; reject: (e: Error) => void } | null = null;
  private buffered = '';

  constructor(private readonly errFile: string) {
    this.proc = spawn('sh', [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (text: string) => {
      this.buffered += text;
      const m = /__done (\d+)\n/.exec(this.buffered);
      if (m && this.pending) {
        this.buffered = this.buffered.slice(m.index + m[0].length);
        const p = this.pending;
        this.pending = null;
        p.resolve(Number(m[1]));
      }
    });
    this.proc.on('exit', (code) => {
      this.pending?.reject(new Error(`the worker shell ended (status ${code})`));
      this.pending = null;
    });
  }

  /** Runs `tool args…`; rejects with the tool's stderr when it exits with a status not in `ok`. */
  async run(tool: string, args: string[], ok: readonly number[] = [0]): Promise<void> {
    if (this.pending) throw new Error('a ShellWorker runs one command at a time');
    const line = [tool, ...args].map(shellQuote).join(' ');
    const status = await new Promise<number>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.proc.stdin.write(`${line} >/dev/null 2>${shellQuote(this.errFile)}; echo "__done $?"\n`);
    });
    if (!ok.includes(status)) {
      const text = (await readFile(this.errFile, 'utf8').catch(() => '')).trim();
      const hint =
        status === 127 ? ` (not installed: apt-get install ${PACKAGES[tool] ?? tool})` : '';
      throw new Error(`${tool} ${args.join(' ')} exited with ${status}${hint}: ${text}`);
    }
  }

  close(): void {
    this.proc.stdin.end();
  }
}

/** The files one worker exchanges audio through, under the corpus's temp folder. */
export interface Scratch {
  /** A voice's WAV output. */
  speech: string;
  /** Raw float32 into and out of sox. */
  soxIn: string;
  soxOut: string;
}

export const scratchFiles = (tmp: string, slot: number): Scratch => ({
  speech: join(tmp, `speech-${slot}.wav`),
  soxIn: join(tmp, `sox-in-${slot}.f32`),
  soxOut: join(tmp, `sox-out-${slot}.f32`)
});

export interface Speech {
  rate: number;
  samples: Float32Array;
}

/**
 * Speaks `text` with one voice; returns its samples at the voice's own rate (espeak-ng 22050 Hz,
 * flite kal 8000 Hz, the other flite voices 16000 Hz).
 */
export async function speak(
  shell: ShellWorker,
  tts: Tts,
  text: string,
  scratch: Scratch
): Promise<Speech> {
  if (tts.engine === 'espeak-ng') {
    const voice = tts.variant ? `${tts.voice}+${tts.variant}` : tts.voice;
    const args = ['-v', voice, '-s', String(tts.wpm), '-p', String(tts.pitch)];
    await shell.run('espeak-ng', [...args, '-w', scratch.speech, text]);
  } else {
    const args = ['-voice', tts.voice, '--setf', `duration_stretch=${tts.durationStretch}`];
    if (tts.f0Mean !== null) args.push('--setf', `int_f0_target_mean=${tts.f0Mean}`);
    await shell.run('flite', [...args, '-t', text, '-o', scratch.speech]);
  }
  const bytes = await readFile(scratch.speech);
  await rm(scratch.speech, { force: true });
  const audio = decodeWav(bytes, `${tts.engine} output`);
  return { rate: audio.sampleRate, samples: toMono(audio) };
}

/**
 * The sox effects for a take at 16 kHz, in order: pitch shift (cents), tempo (speech-tuned WSOLA,
 * `-s`), the band filter, then reverb. Hum, noise and level are added after sox (seeded, in
 * noise.ts). Empty when there is nothing for sox to do.
 */
export function soxChain(e: Effects | null): string[] {
  if (!e) return [];
  const chain: string[] = [];
  if (e.pitchCents !== undefined) chain.push('pitch', String(e.pitchCents));
  if (e.tempo !== undefined) chain.push('tempo', '-s', String(e.tempo));
  const f = e.filter;
  if (f?.kind === 'telephone') chain.push('sinc', `${f.lowHz}-${f.highHz}`);
  if (f?.kind === 'lowpass') chain.push('lowpass', String(f.hz));
  if (f?.kind === 'highpass') chain.push('highpass', String(f.hz));
  if (f?.kind === 'tilt') chain.push('bass', String(f.bassDb), 'treble', String(f.trebleDb));
  const r = e.reverb;
  if (r) {
    const args = [r.reverberance, r.hfDamping, r.roomScale, 100, r.preDelayMs];
    chain.push('reverb', ...args.map(String));
  }
  return chain;
}

const raw = (rate: number) => [
  '-t',
  'raw',
  '-e',
  'floating-point',
  '-b',
  '32',
  '-c',
  '1',
  '-r',
  String(rate)
];

/**
 * One sox process: `samples` at `rate` → resampled to 16 kHz (`rate -h`, sox's high-quality
 * band-limited resampler) → `chain`. Float32 throughout, so nothing is quantised or dithered;
 * `-R` makes sox repeatable.
 */
export async function applySox(
  shell: ShellWorker,
  samples: Float32Array,
  rate: number,
  chain: string[],
  scratch: Scratch
): Promise<Float32Array> {
  await writeFile(
    scratch.soxIn,
    new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength)
  );
  const args = ['-R', ...raw(rate), scratch.soxIn, ...raw(16000), scratch.soxOut];
  await shell.run('sox', [...args, 'rate', '-h', '16000', ...chain]);
  const out = await readFile(scratch.soxOut);
  await rm(scratch.soxIn, { force: true });
  await rm(scratch.soxOut, { force: true });
  const copy = new Uint8Array(out.byteLength - (out.byteLength % 4));
  copy.set(out.subarray(0, copy.length));
  return new Float32Array(copy.buffer);
}
