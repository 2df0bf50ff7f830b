/**
 * The `quench` command line (DESIGN.md "CLI"): train, eval, predict, quantize, export and stream on plain
 * dataset folders, with the same core code the app uses. `--json` prints one JSON object on
 * stdout; progress goes to stderr. Exit codes: 0 ok, 1 bad input (the message names the file and
 * the problem), 2 usage.
 */
import { parseArgs } from 'node:util';
import { BaseError } from '../core/data/base';
import { DatasetError } from '../core/data/dataset';
import { BaseMismatchError } from '../core/train/fine-tune';
import { FeatureError } from '../core/features/logmel';
import { AudioError } from '../core/features/audio-error';
import { ModelFileError } from '../core/model-file/model-file';
import { FrontEndError } from '../core/onnx/front-end';
import { PRESET_NAMES, SpecError } from '../core/spec';
import { NEW_RUN_WEIGHT_BITS } from '../core/spec/defaults';
import { cmdEval } from './commands/eval';
import { cmdExport, cmdQuantize } from './commands/model';
import { cmdPredict } from './commands/predict';
import { cmdStream } from './commands/stream';
import { cmdTrain } from './commands/train';
import { InputError, OPTIONS, UsageError, type Io, type Values } from './common';

export { InputError, UsageError, type Io };

const HELP = `quench — train tiny low-precision, sparsified CNNs on your own sounds and images

Usage:
  quench train    --data DIR --out MODEL [options]
  quench eval     --model MODEL --data DIR [--engine int|float] [--json]
  quench predict  --model MODEL FILE...
  quench quantize --model MODEL --weight-bits B --weight-scheme S --out MODEL2
  quench export   --model MODEL --format onnx|int --out FILE [--input features|raw]
  quench stream   --model MODEL --audio FILE [--labels FILE.tsv] [--json]
  quench stream   --model MODEL --audio FILE --labels FILE.tsv --calibrate [--write]

Datasets are folders with one sub-folder per class; a class is every file under its folder, at
any depth (links followed; .DS_Store, Thumbs.db, __MACOSX and other OS leftovers ignored).
Sound: WAV (PCM, float, µ-law, A-law; RF64, Wave64), MP3, M4A/AAC, Ogg Vorbis, Opus, FLAC,
WebM and AIFF, any rate and channel count. Pictures: PNG and JPEG (EXIF orientation applied,
transparency shown over white). The kind most files have decides between the audio and the image
preset; files of the other kind are listed as not used. Long recordings in a word class are cut
at their utterances ("take.m4a: 24 clips").
A class named "background", "_background_noise_" or "noise" is the background class: its long
recordings are cut into 1 s clips and mixed into the other classes' clips during training.
train estimates accuracy by grouped 5-fold cross-validation (fewer folds for tiny classes):
clips of one file, copies, one take, one speaker (Speech Commands' <speaker>_nohash_<n> names)
or one camera burst stay in one fold. Where the dataset root holds Speech Commands'
validation_list.txt / testing_list.txt, the listed files are held out instead and never trained
on. The headline is the balanced accuracy (mean recall per class) with its clip count.

train options:
  --data DIR             dataset folder (required)
  --out MODEL            model file to write (required)
  --from base|scratch|FILE
                         base (the default for sound when the keyword base is installed):
                         start from the bundled base (models/keyword-base.qnm) — its network,
                         features and an automatic "other sounds" class; scratch: random
                         values on --preset; FILE: another base made by npm run make-base
  --train-layers L       from a base: head (default: the last layer only), top (the last
                         conv block too) or all
  --preset NAME|FILE     ${PRESET_NAMES.join(', ')} or a spec JSON file, from scratch only
                         (default: audio-small for sound, vision-small for pictures)
                         With no flag, a run trains exactly what the app's Train form trains
                         for a new project: ${NEW_RUN_WEIGHT_BITS}-bit weights and the preset's scheme,
                         activation bits, k-WTA and epochs (from a base too). A spec file
                         keeps its own.
  --epochs N             training epochs (default: the preset's)
  --weight-bits B        1–8, or 32 for float weights (default ${NEW_RUN_WEIGHT_BITS})
  --weight-scheme S      linear | exponential | kmeans (default: the preset's)
  --act-bits B           activation bits, 1–8 or 32 (default: the preset's)
  --kwta F               fraction of channels kept per location by k-WTA layers; 1 = off
                         (default: the preset's)
  --seed S               random seed; the same seed repeats a run exactly (default 1)
  --skip-bad             train even if some files can't be read (they are still listed)
  --background-class C   the class holding background noise (default: the class named
                         background, _background_noise_ or noise); "none" for no such class

eval options:
  --model MODEL --data DIR
  --engine int|float     int (default): the integer engine; float: the fake-quantized tfjs model
                         (also for predict)

export options:
  --format onnx          a standard ONNX model of the integer network (input "features")
  --input raw            ONNX with the front end inside: raw 16 kHz audio ("audio", float32
                         [1, 16000]) or RGB pixels ("pixels", uint8 [1, H, W, 3]) in, the same
                         log-mel / resize / standardisation as training (default: features)
  --size WxH             the pixels' size for --input raw on a picture model (default 320x240,
                         the Live camera's frames)
  --format int           a Quench model file with only the packed integer network (smallest;
                         runs with eval and predict but can't be retrained or re-quantized)

stream options (a long recording through exactly the app's live path):
  --model MODEL --audio FILE   a sound model and a recording in any format Quench reads
  --labels FILE.tsv      one event per line, start_s<TAB>end_s<TAB>class (Audacity's label
                         export); adds hits, misses and false alarms per hour. A detection is a
                         hit when it names the event's class within it or up to 0.5 s after it
  --threshold P          probability a detection needs, every class (default: the model
                         file's per-class thresholds, chosen from its accuracy estimate or by
                         --calibrate --write; 0.75 for files without them)
  --overlap F            fraction of each 1 s window shared with the next (default 0.5)
  --suppression MS       no new detection for MS ms after one (default 1000)
  --average N            average the last N windows before judging (default: the model
                         file's, else 1: none)
  Prints one line per detection: seconds<TAB>class<TAB>probability.
  --calibrate            with --labels: choose per-class thresholds and averaging (1–3 windows)
                         that hear the most events at or below a false-alarm rate, from one
                         replay; prints them and the score before and after. Scored on the
                         recording they were chosen on, the figures are optimistic
  --max-false-alarms-per-hour R   the rate --calibrate keeps to (default 20)
  --write                store the calibrated settings in the model file (atomically); a plain
                         quench stream and the app's Live then start from them

common:
  --json                 print one JSON object on stdout instead of text
  -h, --help             show this help

Exit codes: 0 ok, 1 bad input (the message names the file), 2 usage.
`;

const ALLOWED: Record<string, string[]> = {
  train: [
    'data',
    'out',
    'preset',
    'epochs',
    'weight-bits',
    'weight-scheme',
    'act-bits',
    'kwta',
    'seed',
    'skip-bad',
    'background-class',
    'from',
    'train-layers',
    'json'
  ],
  eval: ['model', 'data', 'engine', 'skip-bad', 'background-class', 'json'],
  predict: ['model', 'engine', 'json'],
  quantize: ['model', 'weight-bits', 'weight-scheme', 'out', 'json'],
  export: ['model', 'format', 'out', 'input', 'size', 'json'],
  stream: [
    'model',
    'audio',
    'labels',
    'threshold',
    'overlap',
    'suppression',
    'average',
    'calibrate',
    'max-false-alarms-per-hour',
    'write',
    'json'
  ]
};

/**
 * `--epochs -3` as `--epochs=-3`: parseArgs takes a value that starts with a dash for another
 * option and gives a puzzling message; joined, the flag's own check says what range it takes.
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : undefined;
    const option =
      name === undefined ? undefined : (OPTIONS as Record<string, { type: string }>)[name];
    const takesValue = option?.type === 'string';
    if (takesValue && /^-\d/.test(argv[i + 1] ?? '')) out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

/**
 * parseArgs' message in the CLI's words: an unknown option is named with the nearest known one
 * ("unknown option --epoch; did you mean --epochs?") instead of Node's advice on positionals.
 */
function argumentProblem(e: Error): string {
  const unknown = /^Unknown option '(-{1,2})([^']+)'/.exec(e.message);
  if (!unknown) return e.message;
  const given = unknown[2];
  const known = Object.keys(OPTIONS);
  const near = known
    .map((k) => ({ k, d: editDistance(given, k) }))
    .sort((a, b) => a.d - b.d)
    .find((c) => c.d <= Math.max(1, Math.floor(given.length / 3)));
  return `unknown option ${unknown[1]}${given}${near ? `; did you mean --${near.k}?` : ''}`;
}

/** Levenshtein distance between two short strings (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

export async function main(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv),
      options: OPTIONS,
      allowPositionals: true,
      strict: true
    });
  } catch (e) {
    io.err(`quench: ${argumentProblem(e as Error)}\nRun "quench --help" for usage.`);
    return 2;
  }
  const { values, positionals } = parsed as { values: Values; positionals: string[] };
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    (command === undefined && !values.help ? io.err : io.out)(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  try {
    const allowed = ALLOWED[command];
    if (!allowed) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    for (const k of Object.keys(values)) {
      if (!allowed.includes(k) && k !== 'help')
        throw new UsageError(`${command} does not take --${k}`);
    }
    if (command !== 'predict' && rest.length)
      throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
    switch (command) {
      case 'train':
        return await cmdTrain(values, io);
      case 'eval':
        return await cmdEval(values, io);
      case 'predict':
        return await cmdPredict(values, rest, io);
      case 'quantize':
        return await cmdQuantize(values, io);
      case 'stream':
        return await cmdStream(values, io);
      default:
        return await cmdExport(values, io);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`quench ${command}: ${e.message}\nRun "quench --help" for usage.`);
      return 2;
    }
    const known = [
      InputError,
      DatasetError,
      AudioError,
      FeatureError,
      ModelFileError,
      SpecError,
      FrontEndError,
      BaseError,
      BaseMismatchError
    ];
    if (known.some((k) => e instanceof k)) {
      io.err(`quench ${command}: ${(e as Error).message}`);
      return 1;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E')) {
      io.err(`quench ${command}: ${(e as Error).message}`);
      return 1;
    }
    io.err(`quench ${command}: internal error: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}
