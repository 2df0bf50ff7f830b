/** A trained model the integer engine can't take, with the reason (layer named). */
export class ConvertError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConvertError';
  }
}
