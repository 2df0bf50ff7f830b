// Worker entry when running from source (tests, CLI, browser mode): loads the TypeScript worker
// through tsx in this thread. The packaged app runs the built train-worker.js instead.
import { tsImport } from 'tsx/esm/api';

await tsImport('./train-worker.ts', import.meta.url);
