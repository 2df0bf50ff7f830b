/**
 * Crashes: a process is killed with SIGKILL during sample writes, model saves and a training run;
 * the project is then reopened. Every acknowledged sample is there and decodes, the last complete
 * model loads, temp files are never mistaken for data, and the interrupted run is reported.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { decodeWav, encodeWav } from '../../core/features/wav';
import { decodeModel } from '../../core/model-file/model-file';
import { ApiService } from '../../electron/main/services/api-service';

const CHILD = join(import.meta.dirname, 'crash-child.ts');
const root = mkdtempSync(join(tmpdir(), 'quench-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the child until `stop(lines)` says so, then kills it with SIGKILL; returns its output. */
function runAndKill(args: string[], stop: (lines: string[]) => boolean): Promise<string[]> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
      stdio: ['ignore', 'pipe', 'inherit']
    });
    const lines: string[] = [];
    let buffer = '';
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      lines.push(...parts);
      if (stop(lines)) child.kill('SIGKILL');
    });
    child.on('exit', () => resolve(lines));
  });
}

async function audioProject(dir: string): Promise<string> {
  const api = new ApiService(dir);
  const p = (await api.handle('project:create', { name: 'Crash', kind: 'audio' })) as {
    id: string;
  };
  for (const cls of ['yes', 'no']) {
    await api.handle('class:add', { project: p.id, name: cls });
    for (let i = 0; i < 4; i++) {
      await api.handle('sample:add', {
        project: p.id,
        className: cls,
        bytes: encodeWav(
          [
            Float32Array.from(
              { length: 16000 },
              (_, k) => 0.3 * Math.sin(k / (cls === 'yes' ? 3 : 9))
            )
          ],
          16000
        ),
        format: 'wav'
      });
    }
  }
  await api.close();
  return p.id;
}

describe('killed with SIGKILL', () => {
  test('during sample writes: every acknowledged sample is kept and decodes', async () => {
    const dir = join(root, 'samples');
    const project = await audioProject(dir);
    const lines = await runAndKill(['samples', dir, project], (l) => l.length >= 25);
    const acked = lines.filter((l) => l.startsWith('ack ')).map((l) => l.slice(4));
    expect(acked.length).toBeGreaterThanOrEqual(25);
    const api = new ApiService(dir);
    const info = (await api.handle('project:get', { project })) as {
      classes: { name: string; samples: number }[];
    };
    const files = (
      (await api.handle('sample:list', { project, className: 'yes' })) as { file: string }[]
    ).map((s) => s.file);
    for (const f of acked) expect(files).toContain(f);
    for (const f of files)
      decodeWav(
        (await api.handle('sample:read', { project, className: 'yes', file: f })) as Uint8Array
      );
    expect(info.classes.find((c) => c.name === 'yes')!.samples).toBe(files.length);
    expect(
      readdirSync(join(dir, project, 'data', 'yes')).filter((f) => f.endsWith('.tmp'))
    ).toEqual([]);
    await api.close();
  }, 60_000);

  test('during model saves: the file on disk is always a complete model', async () => {
    const file = join(root, 'model.qnm');
    for (let round = 0; round < 3; round++) {
      const lines = await runAndKill(['model', file], (l) => l.length >= 3 + round * 4);
      const last = Number(
        lines
          .filter((l) => l.startsWith('ack '))
          .at(-1)!
          .slice(4)
      );
      const saved = decodeModel(new Uint8Array(readFileSync(file)));
      // The last acknowledged save, or the one after it if the rename landed before the kill.
      expect([last, last + 1]).toContain(saved.metrics.saveNumber);
    }
  }, 60_000);

  test('during training: the project reopens and the run is reported as interrupted', async () => {
    const dir = join(root, 'train');
    const project = await audioProject(dir);
    await runAndKill(['train', dir, project], (l) => l.includes('training'));
    const api = new ApiService(dir);
    const runs = (await api.handle('run:list', { project })) as {
      status: string;
      error?: string;
    }[];
    expect(runs).toHaveLength(1);
    expect(runs[0].status).toBe('failed');
    expect(runs[0].error).toMatch(/interrupted/);
    const info = (await api.handle('project:get', { project })) as { classes: unknown[] };
    expect(info.classes).toHaveLength(2);
    await api.close();
  }, 120_000);
});
