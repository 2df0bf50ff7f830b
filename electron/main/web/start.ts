/**
 * `npm run web`: serves the built renderer and the API on 127.0.0.1 and prints the link (with
 * its per-launch token) to open in a browser. Data lives where the desktop app keeps it.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApiService } from '../services/api-service';
import { startWebServer } from './server';

const staticDir = resolve(import.meta.dirname, '../../../out/renderer');
if (!existsSync(join(staticDir, 'index.html'))) {
  console.error(`The renderer is not built (${staticDir} is missing). Run: npm run build:web`);
  process.exit(1);
}
const dataDir = process.env.QUENCH_DATA ?? join(homedir(), '.quench', 'projects');
const api = new ApiService(dataDir);
/** The port `npm run web` asks for first (QUENCH_PORT overrides); another when it is taken. */
const PREFERRED_PORT = 47831;
const asked = Number(process.env.QUENCH_PORT);
const server = await startWebServer({
  api,
  staticDir,
  preferredPort: Number.isInteger(asked) && asked > 0 && asked < 65536 ? asked : PREFERRED_PORT
});
console.log(
  `Quench is running at\n\n  ${server.url}\n\nOpen that link in Chromium, Chrome, Edge or Firefox. Projects: ${dataDir}. Ctrl+C stops.`
);
const stop = async (): Promise<void> => {
  await server.close();
  await api.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
