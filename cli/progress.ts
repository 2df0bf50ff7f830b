/**
 * A progress bar on stderr. On a terminal it redraws one line in place; elsewhere (CI logs,
 * pipes) it prints at most one line per 10 % step so logs stay short. `log` prints a lasting line.
 */
import type { Io } from './quench';

export class Progress {
  private lastStep = -1;
  private drawn = false;
  constructor(private readonly io: Io) {}

  update(fraction: number, label: string, etaSeconds?: number): void {
    const f = Math.max(0, Math.min(1, fraction));
    const eta =
      etaSeconds !== undefined && Number.isFinite(etaSeconds)
        ? ` · ETA ${formatSeconds(etaSeconds)}`
        : '';
    if (this.io.isTTY) {
      const width = 24;
      const full = Math.round(f * width);
      const bar = `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${(100 * f).toFixed(0).padStart(3)} %`;
      this.io.err(`\r\x1b[2K${bar} ${label}${eta}`.slice(0, 200) + '\x1b[0m');
      this.drawn = true;
      return;
    }
    const step = Math.floor(f * 10);
    if (step !== this.lastStep) {
      this.lastStep = step;
      this.io.err(`${(100 * f).toFixed(0).padStart(3)} % ${label}${eta}\n`);
    }
  }

  log(line: string): void {
    if (this.io.isTTY && this.drawn) this.io.err('\r\x1b[2K');
    this.io.err(`${line}\n`);
    this.lastStep = -1;
  }

  done(): void {
    if (this.io.isTTY && this.drawn) this.io.err('\r\x1b[2K');
    this.drawn = false;
    this.lastStep = -1;
  }
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.ceil(s - 60 * m)} s`;
}
