/**
 * The one API between the UI and the Node services, whatever carries it (Electron IPC or the
 * browser mode's WebSocket). Each method maps a request payload to a response; every payload is
 * untrusted and checked by {@link validateRequest} before a service sees it. Channel names read
 * `domain:verb`. Types only; the validators are in validate.ts. Nothing here touches Node or the DOM.
 */

export type ProjectKind = 'audio' | 'vision';

export interface ClassInfo {
  name: string;
  samples: number;
  /**
   * This class holds background noise: its recordings are cut into 1 s windows and mixed under
   * the other classes' clips (a class named background, _background_noise_ or noise).
   */
  background?: boolean;
}

export interface ProjectInfo {
  id: string;
  name: string;
  kind: ProjectKind;
  createdAt: string;
  classes: ClassInfo[];
  /** Issue 16b: the devices picked for this project, and what the demo project is. */
  devices?: ProjectDevices;
  demo?: DemoInfo;
}

export interface SampleInfo {
  className: string;
  file: string;
  bytes: number;
  /** How to show it: an imported file's original name (a recording's file name). */
  name: string;
}

/** A part of a recording that was not kept as a clip: [start, end] in seconds, and why. */
export interface LeftOutClip {
  start: number;
  end: number;
  /** The word was cut by the recording's start, its end, or both. */
  cut: 'start' | 'end' | 'both';
}

/** A microphone take saved as clips, and the words in it that were left out. */
export interface RecordedTake {
  saved: SampleInfo[];
  leftOut: LeftOutClip[];
  /** No sound rose above the take's noise (nobody spoke): nothing was saved. */
  nothingHeard?: boolean;
  /**
   * The whole take stayed below −70 dBFS (core/features/level.ts SILENCE_DB): the input is muted
   * or disconnected, not a room. Nothing was saved, in any class.
   */
  silentInput?: boolean;
  /**
   * The take holds a sound longer than a word, which would be split into consecutive clips:
   * nothing was saved, and this is the take's preview; sample:record with `keep` saves the clips
   * the person kept.
   */
  preview?: SampleInspection;
}

/** A file that was taken, and what training will make of it. */
export interface ImportedFile {
  className: string;
  /** The name it had (for a folder import, its path inside the class folder). */
  name: string;
  /** The stored file. */
  file: string;
  /** Clips training takes from it (audio: one per utterance in a word class). */
  clips: number;
  /** What was read differently from a plain file (ended early, channels cancel …). */
  warnings: string[];
  /**
   * A long take saved as the clips the person kept (sample:import with `keep`): how each is
   * shown ("take 1.wav" …), and how many of the take's clips were left out.
   */
  savedAs?: string[];
  leftOut?: number;
}

/** A file that was not taken, and why, for a list the user can read. */
export interface RefusedFile {
  name: string;
  reason: string;
}

export interface ImportReport {
  project: ProjectInfo;
  imported: ImportedFile[];
  refused: RefusedFile[];
}

/** One clip of a recording's preview: [start, end] in seconds. */
export interface InspectedClip {
  start: number;
  end: number;
  /** The clip's word was cut by the recording's start, end or both: it may be half a word. */
  cut?: 'start' | 'end' | 'both';
  /**
   * The clip is one of `clips` consecutive pieces of a sound longer than a word, from `start` to
   * `end` seconds (a phrase, words run together, a sustained noise).
   */
  longSound?: { start: number; end: number; clips: number };
}

/** A long take in a dataset folder, previewed before the folder is imported. */
export interface FolderTake extends SampleInspection {
  className: string;
  /** Its path in the folder: "<class folder>/<path inside it>", as ImportReport names files. */
  path: string;
}

/** The clips of one long take in a dataset folder to import ([]: leave the file out). */
export interface FolderKeep {
  path: string;
  clips: number[];
}

/** What importing a file would give, before anything is saved (the cut-points preview). */
export interface SampleInspection {
  name: string;
  kind: ProjectKind;
  /**
   * Audio: length in seconds, its clips, and a coarse envelope.
   */
  seconds?: number;
  clips: InspectedClip[];
  /** Peak level per equal slice of the recording, in [0, 1] (for drawing it). */
  envelope: number[];
  /** The class is the background class (cut into windows rather than at utterances). */
  background: boolean;
  warnings: string[];
}

export interface TrainSettings {
  preset?: string;
  epochs?: number;
  weightBits?: number;
  weightScheme?: 'linear' | 'exponential' | 'kmeans';
  actBits?: number;
  kwta?: number;
  learningRate?: number;
  l2?: number;
  optimizer?: 'adam' | 'sgd';
  probabilistic?: boolean;
  iterativeRounds?: number;
  seed?: number;
  /**
   * 'base': start from the bundled base of the project's kind (its network and features, plus an
   * automatic "other sounds" class for sound); 'scratch': random values on `preset`. Absent:
   * the base when one is installed for the kind, else scratch.
   */
  startFrom?: 'base' | 'scratch';
  /** From a base: which layers train (core/train/fine-tune.ts); default 'head'. */
  trainLayers?: 'head' | 'top' | 'all';
}

/**
 * A base installed for a kind of project (models/<name>.qnm with its record), as base:info
 * describes it to the Train form: what a run that starts from it takes over.
 */
export interface BaseInfo {
  kind: ProjectKind;
  /** File name without extension, e.g. "keyword-base". */
  name: string;
  /** CRC-32 of the model file, 8 hex digits (a run from it records `base:<name>@<hash>`). */
  hash: string;
  /** What the base is and how it was made (its record's `about`). */
  about: string;
  /** The network every run from it trains (fixed): its architecture name and description. */
  network: { name: string; description: string };
  /** The base's own classes, in its output order. */
  classes: string[];
  /** How many of those classes are words (every class but the background class). */
  words: number;
  /** The "other sounds" pack: its one-second clips and the distinct words they hold. */
  others: { clips: number; words: number };
  /** The base's accuracy on held-out clips of its corpus, when its record gives one. */
  accuracy?: { value: number; clips: number; about: string };
  /**
   * How the base's layers were trained and are served: weight bits (32 = float) and scheme,
   * activation bits. The layers a run doesn't train keep these whatever the run's settings.
   */
  served: {
    weightBits: number;
    weightScheme: 'linear' | 'exponential' | 'kmeans';
    actBits: number;
    /** Fraction of channels its k-WTA layers keep (1: none). */
    kwta: number;
  };
}

export type RunStatus = 'running' | 'done' | 'cancelled' | 'failed';

/** How the served model did on clips it was not trained on (core's ClipEvaluation). */
export interface RunEvaluation {
  /**
   * 'k-fold': every clip predicted once by a model trained without its group (grouped k-fold);
   * 'listed': the clips the dataset's own lists hold out; 'holdout': a tenth (older runs).
   */
  method: 'holdout' | 'k-fold' | 'listed';
  folds: number;
  /** 'int': the integer engine Live runs; 'float': the fake-quantized tfjs model. */
  engine: 'int' | 'float';
  accuracy: number;
  /** Mean of per-class recall: the headline figure (absent in runs from before it). */
  balancedAccuracy?: number;
  /** What the estimate rests on (core's EstimateBasis; absent in older runs). */
  basis?: {
    groups: number;
    groupedBy: string[];
    blockSplit: string[];
    lists?: string[];
    oneSession?: string;
  };
  /** The number of clips the accuracy rests on. */
  clips: number;
  /** Recall per class (in `labels` order), null when no clip of the class was evaluated. */
  perClass: (number | null)[];
  classClips: number[];
  confusion: number[][];
  mistakes: { file: string; label: number; predicted: number }[];
  /**
   * Every evaluated clip, files relative to the project's data folder (absent from runs saved
   * before the app kept them).
   */
  predictions?: ClipPrediction[];
}

/** The served model on its own training clips, beside the last training loss. */
export interface ServedFit {
  clips: number;
  accuracy: number;
  loss: number;
  meanTopProbability: number;
  /** Absent when the run was cancelled before its first epoch ended. */
  trainingLoss?: number;
}

export interface DataWarning {
  kind: 'few-clips' | 'imbalance' | 'silent' | 'near-identical' | 'duplicates';
  message: string;
  className?: string;
}

export interface RunInfo {
  id: string;
  project: string;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  settings: TrainSettings;
  /** = evaluation.accuracy (kept for lists and older runs). */
  validationAccuracy?: number;
  error?: string;
  /** Model file size once the run has saved its model (possibly while still evaluating). */
  modelBytes?: number;
  /**
   * Bytes of what is deployed: the integer-only model (packed low-precision weights, no float
   * copy), as Live runs it and `quench export --format int` writes it (absent from older runs).
   */
  deployedBytes?: number;
  /** The model's class names, in its output order. */
  labels?: string[];
  /**
   * The project's classes with samples and their sample counts when the run trained (a what-if
   * run: its trained run's), to tell runs trained on other data apart (absent from older runs).
   */
  trainedOn?: { name: string; samples: number }[];
  evaluation?: RunEvaluation;
  /** Cross-validation was cancelled after the model was saved. */
  evaluationCancelled?: boolean;
  /** Why a "what if" run has no evaluation (e.g. its source's clips are gone), for the person. */
  evaluationNote?: string;
  served?: ServedFit;
  warnings?: DataWarning[];
  /** Per epoch: training loss and accuracy, accuracy on the epoch's check set. */
  history?: { epoch: number; loss: number; accuracy: number; validationAccuracy: number }[];
  /** older runs: recall and confusion on the validation split. */
  perClass?: number[];
  confusion?: number[][];
  /** What reading the project's files said: the background class, per-file notes, files not used. */
  scan?: {
    backgroundClass?: string;
    notes: { file: string; reason: string }[];
    ignored: { file: string; reason: string }[];
  };
  /** Energy per inference on the simulated accelerator (the served model, its training clips). */
  energy?: RunEnergy;
  /** `base:<name>@<hash>` or `scratch`, and which layers trained. Runs from a base on. */
  startedFrom?: string;
  trainedLayers?: string;
  /** Classes the run added itself ("other sounds"), with their clip counts and what they are. */
  automaticClasses?: { name: string; clips: number; about: string }[];
  /**
   * A "what if" run: the trained run whose float weights were requantized (no retraining); a
   * what-if of a what-if names the trained run both come from.
   */
  quantizedFrom?: string;
}

export interface TrainProgressEvent {
  project: string;
  run: string;
  /** scan, train, validate, quantize, or evaluate (a cross-validation fold). */
  phase: string;
  /** evaluate: the fold (1-based) and the number of folds. */
  fold?: number;
  folds?: number;
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
  samplesPerSecond: number;
  /** Seconds the whole run has left: the served model and every cross-validation fold. */
  etaSeconds: number;
  /** Share of the whole run done, in [0, 1] (absent while reading samples). */
  fraction?: number;
  /**
   * What `validationAccuracy` is measured on: 'held-out' clips, or — with cross-validation to
   * follow — the model's 'own' training clips.
   */
  check?: 'held-out' | 'own';
  validationAccuracy?: number;
}

// ---- Issue 16b: collect, compare (types) ----

/** A device a person picked, by the browser's id and its label (ids change between origins). */
export interface DeviceChoice {
  id: string;
  label: string;
}

export interface ProjectDevices {
  mic?: DeviceChoice;
  camera?: DeviceChoice;
}

/** What the demo project is, for its Collect and Train views. */
export interface DemoInfo {
  /** One paragraph: what the model knows and how it was made. */
  about: string;
}

/** One evaluated clip: file (class/name in the project), start in seconds, classes, confidence. */
export interface ClipPrediction {
  file: string;
  at?: number;
  label: number;
  predicted: number;
  confidence: number;
}

export interface RunEnergy {
  /** Picojoules per inference, zero activations skipped (core/energy). */
  totalPj: number;
  /** The same network dense in float32. */
  floatDensePj: number;
  /** Clips the average rests on. */
  clips: number;
}

export interface ApiMethods {
  'project:list': { req: Record<string, never>; res: ProjectInfo[] };
  'project:create': { req: { name: string; kind: ProjectKind }; res: ProjectInfo };
  /** A project holding the bundled demo model (yes / no / background), ready for Live. */
  'project:demo': { req: Record<string, never>; res: ProjectInfo };
  'project:get': { req: { project: string }; res: ProjectInfo };
  'project:rename': { req: { project: string; name: string }; res: ProjectInfo };
  'project:delete': { req: { project: string }; res: null };
  'project:import': { req: { project: string; folder: string }; res: ProjectInfo };
  /**
   * The long takes in a dataset folder's word classes (files that give more than one clip), each
   * with its preview, for the person to choose their clips before project:import-folder. Class
   * folder names are checked as the import checks them; files that can't be read are left to it.
   */
  'project:inspect-folder': { req: { project: string; folder: string }; res: FolderTake[] };
  /**
   * Copies a dataset folder into the project, all or nothing: every class name is checked before
   * anything is copied; files that can't be used are listed with the reason. A long take in a word
   * class is saved as its clips, as a file import saves it: those in `keep`, else every clip whose
   * word was not cut by the file's start or end.
   */
  'project:import-folder': {
    req: { project: string; folder: string; keep?: FolderKeep[] };
    res: ImportReport;
  };
  'class:add': { req: { project: string; name: string }; res: ProjectInfo };
  'class:rename': { req: { project: string; from: string; to: string }; res: ProjectInfo };
  'class:delete': { req: { project: string; name: string }; res: ProjectInfo };
  'sample:add': {
    req: { project: string; className: string; bytes: Uint8Array; format: 'wav' | 'png' | 'jpg' };
    res: SampleInfo;
  };
  /** Checks a file a person chose and shows what it would give (cut points), saving nothing. */
  'sample:inspect': {
    req: { project: string; className: string; name: string; bytes: Uint8Array };
    res: SampleInspection;
  };
  /**
   * Stores a file a person chose under its own name, in any format Quench reads; with `keep` (a
   * long take in a word class, after its preview) as the kept clips instead — indices into
   * sample:inspect's `clips`, each saved as a 1 s WAV "<file name> <clip number>.wav".
   */
  'sample:import': {
    req: { project: string; className: string; name: string; bytes: Uint8Array; keep?: number[] };
    res: ImportedFile;
  };
  'sample:list': { req: { project: string; className: string }; res: SampleInfo[] };
  'sample:read': { req: { project: string; className: string; file: string }; res: Uint8Array };
  'sample:delete': { req: { project: string; className: string; file: string }; res: null };
  'train:start': { req: { project: string; settings: TrainSettings }; res: RunInfo };
  /** The base installed for projects of `kind`, or null when none is (runs start from scratch). */
  'base:info': { req: { kind: ProjectKind }; res: BaseInfo | null };
  'train:cancel': { req: { project: string }; res: null };
  'run:list': { req: { project: string }; res: RunInfo[] };
  'model:load': { req: { project: string; run: string }; res: Uint8Array };
  'model:export': {
    req: {
      project: string;
      run: string;
      format: 'onnx' | 'int';
      /** What the ONNX model takes: the engine's features (default), or raw audio / RGB pixels with the front end inside. */
      input?: 'features' | 'raw';
      /** Raw pictures: the pixel size the ONNX model takes (default 320×240). */
      width?: number;
      height?: number;
    };
    res: Uint8Array;
  };
  'model:delete': { req: { project: string; run: string }; res: null };
  // ---- Issue 16b: collect, compare ----
  /**
   * A recording from the microphone (WAV, up to 10 s) cut into 1 s clips as training cuts it (at
   * its utterances in a word class, consecutive windows in the background class), each saved as
   * "<class> <n>.wav"; a word cut by the start or end of the take is left out (and listed); a take
   * in which nothing was heard saves nothing; a take holding a sound longer than a word saves
   * nothing and returns its preview, and with `keep` (indices into the preview's clips) saves those.
   */
  'sample:record': {
    req: { project: string; className: string; bytes: Uint8Array; keep?: number[] };
    res: RecordedTake;
  };
  /** Puts a sample deleted in the last minutes back (the undo of sample:delete). */
  'sample:restore': { req: { project: string; className: string; file: string }; res: SampleInfo };
  /** Moves a sample to another class. */
  'sample:move': {
    req: { project: string; className: string; file: string; to: string };
    res: SampleInfo;
  };
  /** The microphone and camera picked for a project (remembered with it). */
  'project:devices': {
    req: { project: string; mic?: DeviceChoice; camera?: DeviceChoice };
    res: ProjectInfo;
  };
  /** The whole project (clips, classes, runs) as one .quench file (a zip). */
  'project:export': { req: { project: string }; res: Uint8Array };
  /** A .quench file as a new project; everything in it is checked before anything is kept. */
  'project:import-file': { req: { name: string; bytes: Uint8Array }; res: ProjectInfo };
  /**
   * "What if": a new run holding a run's model requantized at other weight bits / scheme (no
   * retraining, as `quench quantize`), judged on the same clips as the run it comes from.
   */
  'run:quantize': {
    req: {
      project: string;
      run: string;
      weightBits: number;
      weightScheme: 'linear' | 'exponential' | 'kmeans';
    };
    res: RunInfo;
  };
}

export type Method = keyof ApiMethods;
export type Req<M extends Method> = ApiMethods[M]['req'];
export type Res<M extends Method> = ApiMethods[M]['res'];

export interface ApiEvents {
  'train:progress': TrainProgressEvent;
  /** A run changed while going on (e.g. its model was saved before cross-validation). */
  'run:updated': RunInfo;
  'train:finished': RunInfo;
}

/** What the renderer holds: one async function per method, plus event subscription. */
export type QuenchApi = {
  call<M extends Method>(method: M, req: Req<M>): Promise<Res<M>>;
  on<E extends keyof ApiEvents>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
};

export { ApiError, checkTrainSettings, METHODS, validateRequest } from './validate';
