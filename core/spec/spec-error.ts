/** A spec that can't be used; `path` points at the offending field, e.g. `layers[2].filters`. */
export class SpecError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly source = 'model spec'
  ) {
    super(`${source}: ${path}: ${problem}`);
    this.name = 'SpecError';
  }
}
