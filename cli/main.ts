/** Process entry for the `quench` command: wires stdout/stderr and the exit code. */
import { main } from './quench';

const code = await main(process.argv.slice(2), {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(s.endsWith('\n') || s.startsWith('\r') ? s : `${s}\n`),
  isTTY: Boolean(process.stderr.isTTY),
  now: () => performance.now()
});
process.exitCode = code;
