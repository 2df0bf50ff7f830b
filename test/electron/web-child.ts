/**
 * The browser-mode server in a process of its own, as `npm run web` runs it, for tests that must
 * see whether a client can make it exit. Usage: web-child.ts ROOT (ROOT/static holds the page,
 * projects go to ROOT/projects). Prints one line of JSON, {"port", "token"}, once listening; what
 * the server logs goes to stderr.
 */
import { join } from 'node:path';
import { ApiService } from '../../electron/main/services/api-service';
import { startWebServer } from '../../electron/main/web/server';

const root = process.argv[2];
const api = new ApiService(join(root, 'projects'));
const server = await startWebServer({ api, staticDir: join(root, 'static') });
process.stdout.write(`${JSON.stringify({ port: server.port, token: server.token })}\n`);
process.on('SIGTERM', () => {
  void server
    .close()
    .then(() => api.close())
    .then(() => process.exit(0));
});
