/** Runs the quench CLI in process, as the tests call it: exit code and what it printed. */
import { main, type Io } from '../../cli/quench';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** `quench ARGS…` with a non-TTY console collecting stdout and stderr line by line. */
export async function quench(...args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: Io = {
    out: (s) => (out += `${s}\n`),
    err: (s) => (err += s.endsWith('\n') ? s : `${s}\n`),
    isTTY: false,
    now: () => performance.now()
  };
  const code = await main(args, io);
  return { code, out, err };
}
