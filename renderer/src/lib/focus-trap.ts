/**
 * Keeps keyboard focus inside an in-page modal dialog, as a native modal <dialog> does: Tab from
 * the last stop goes to the first, Shift+Tab from the first to the last, so the page behind is
 * never reached by keyboard while the dialog is open.
 */

const FOCUSABLE = 'button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])';

/**
 * The elements of `root` that Tab stops on, in order: enabled, shown, and of a radio group only
 * the checked radio (or the first when none is checked), as browsers do.
 */
export function tabStops(root: HTMLElement): HTMLElement[] {
  const seen = new Set<string>();
  const all = Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) => !(el as HTMLButtonElement).disabled && !el.closest('[hidden], [inert]')
  );
  return all.filter((el) => {
    if (!(el instanceof HTMLInputElement) || el.type !== 'radio' || !el.name) return true;
    if (seen.has(el.name)) return false;
    const group = all.filter(
      (o): o is HTMLInputElement =>
        o instanceof HTMLInputElement && o.type === 'radio' && o.name === el.name
    );
    const stop = group.find((r) => r.checked) ?? group[0];
    if (el !== stop) return false;
    seen.add(el.name);
    return true;
  });
}

/** A keydown handler for the dialog element: wraps Tab and Shift+Tab at its ends. */
export function trapTab(e: KeyboardEvent, root: HTMLElement | undefined): void {
  if (e.key !== 'Tab' || !root) return;
  const stops = tabStops(root);
  if (stops.length === 0) {
    e.preventDefault();
    return;
  }
  const first = stops[0];
  const last = stops[stops.length - 1];
  const active = root.ownerDocument.activeElement;
  const inside = active instanceof HTMLElement && root.contains(active);
  if (e.shiftKey && (!inside || active === first || active === root)) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (!inside || active === last)) {
    e.preventDefault();
    first.focus();
  }
}
