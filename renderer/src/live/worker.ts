/** A new live-inference worker (vite bundles it from this `new Worker(new URL(…))` form). */
export function inferWorker(): Worker {
  return new Worker(new URL('./infer-worker.ts', import.meta.url), { type: 'module' });
}
