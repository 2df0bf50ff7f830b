import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    passWithNoTests: true,
    projects: [
      {
        test: {
          name: 'core',
          environment: 'node',
          include: ['core/**/*.test.ts', 'test/core/**/*.test.ts'],
          testTimeout: 60_000
        }
      },
      {
        plugins: [svelte()],
        resolve: { conditions: ['browser'] },
        test: {
          name: 'renderer',
          environment: 'happy-dom',
          include: ['renderer/**/*.test.ts']
        }
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.e2e.ts'],
          // One file at a time: each builds the renderer into out/ and drives its own Chromium.
          fileParallelism: false,
          // A real browser with fake devices on a loaded 2-core machine: one retry for timing.
          retry: 1,
          testTimeout: 400_000,
          hookTimeout: 120_000
        }
      },
      {
        test: {
          name: 'electron',
          environment: 'node',
          include: [
            'electron/**/*.test.ts',
            'test/electron/**/*.test.ts',
            'test/cli/**/*.test.ts',
            'test/scripts/**/*.test.ts',
            'test/bench/**/*.test.ts'
          ],
          testTimeout: 60_000
        }
      }
    ]
  }
});
