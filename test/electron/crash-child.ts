/**
 * A process the crash tests kill with SIGKILL in the middle of its work. Modes:
 *   samples ROOT PROJECT  — add samples forever, printing "ack <file>" once each is acknowledged
 *   model FILE            — save model files atomically forever, printing "ack <n>" after each
 *   train ROOT PROJECT    — start a long training run, printing "training" at the first progress
 */
import { encodeWav } from '../../core/features/wav';
import { encodeModel } from '../../core/model-file/model-file';
import { ApiService } from '../../electron/main/services/api-service';
import { writeFileAtomic } from '../../electron/main/services/atomic-write';

const [mode, a, b] = process.argv.slice(2);
const clip = (n: number) =>
  encodeWav(
    [Float32Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin(i / (3 + (n % 7))))],
    16000
  );

if (mode === 'samples') {
  const api = new ApiService(a);
  for (let n = 0; ; n++) {
    const s = (await api.handle('sample:add', {
      project: b,
      className: 'yes',
      bytes: clip(n),
      format: 'wav'
    })) as { file: string };
    process.stdout.write(`ack ${s.file}\n`);
  }
} else if (mode === 'model') {
  const { decodeModel } = await import('../../core/model-file/model-file');
  const { readFileSync } = await import('node:fs');
  const seed = decodeModel(
    new Uint8Array(readFileSync(new URL('../../models/demo-words.qnm', import.meta.url)))
  );
  for (let n = 0; ; n++) {
    await writeFileAtomic(a, encodeModel({ ...seed, metrics: { ...seed.metrics, saveNumber: n } }));
    process.stdout.write(`ack ${n}\n`);
  }
} else if (mode === 'train') {
  const api = new ApiService(a);
  let told = false;
  api.subscribe((event) => {
    if (event === 'train:progress' && !told) {
      told = true;
      process.stdout.write('training\n');
    }
  });
  await api.handle('train:start', { project: b, settings: { epochs: 200 } });
  await new Promise(() => undefined);
}
