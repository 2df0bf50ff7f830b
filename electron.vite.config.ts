import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'electron/main/index.ts'),
          // The training worker runs in its own thread, so it is its own entry.
          'train-worker': resolve(import.meta.dirname, 'electron/main/services/train-worker.ts')
        }
      }
    }
  },
  preload: {
    // A sandboxed preload can't be an ES module.
    build: {
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].js' }
      }
    }
  },
  renderer: {
    root: resolve(import.meta.dirname, 'renderer'),
    build: {
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'renderer/index.html') } }
    },
    plugins: [svelte()],
    // ES-module workers keep the audio decoders (loaded on first use, for "test on a recording")
    // in their own chunks instead of inlining all of them into the live-inference worker.
    worker: { format: 'es' }
  }
});
