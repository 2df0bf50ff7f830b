/**
 * In-page dialogs instead of the browser's own question, text and message boxes (Electron has no
 * text box at all, and the browser's boxes block the page and can't be styled or tested): a view
 * awaits `dialogs.ask(…)`, `dialogs.askText(…)` or `dialogs.tell(…)`; DialogHost shows the one
 * open request.
 */
export interface DialogRequest {
  kind: 'confirm' | 'prompt' | 'alert';
  title: string;
  message?: string;
  /** The confirming button's label ("Delete", "Rename"). */
  confirm: string;
  /** The prompt's initial text and its field label. */
  value?: string;
  label?: string;
  /** A destructive action: the confirming button is shown as such. */
  danger?: boolean;
  resolve: (answer: string | boolean | undefined) => void;
}

class Dialogs {
  current = $state.raw<DialogRequest | undefined>(undefined);

  private open<T>(r: Omit<DialogRequest, 'resolve'>): Promise<T> {
    // A new request answers the one before it as cancelled: there is one dialog at a time.
    this.current?.resolve(r.kind === 'prompt' ? undefined : false);
    return new Promise<T>((resolve) => {
      this.current = {
        ...r,
        resolve: (answer) => {
          this.current = undefined;
          resolve(answer as T);
        }
      };
    });
  }

  /** Resolves true when the person confirms, false when they cancel (Escape, Cancel). */
  ask(o: { title: string; message?: string; confirm: string; danger?: boolean }) {
    return this.open<boolean>({ kind: 'confirm', ...o });
  }

  /** Resolves the text entered, or undefined when cancelled. */
  askText(o: { title: string; label: string; value?: string; confirm: string; message?: string }) {
    return this.open<string | undefined>({ kind: 'prompt', ...o });
  }

  /** A message to acknowledge. */
  tell(o: { title: string; message?: string }) {
    return this.open<boolean>({ kind: 'alert', confirm: 'OK', ...o });
  }
}

export const dialogs = new Dialogs();
