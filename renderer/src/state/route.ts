/**
 * The open project and view in the page's address (its hash), so that a reload — or a link
 * kept from the address bar — comes back to the same place: "#/project/<id>/train". The hash is
 * only navigation state; nothing in it is trusted beyond choosing what to open.
 */
import type { View } from './app.svelte';

export interface Route {
  project?: string;
  view: View;
}

const VIEWS: View[] = ['collect', 'train', 'live'];

/** The route a hash names; anything else is the Projects page. */
export function parseRoute(hash: string): Route {
  const m = /^#\/project\/([a-z0-9]{6,40})(?:\/([a-z]+))?\/?$/.exec(hash);
  if (!m) return { view: 'projects' };
  const view = VIEWS.find((v) => v === m[2]) ?? 'collect';
  return { project: m[1], view };
}

/** The hash for a route ("" for the Projects page, so its address stays clean). */
export function routeHash(r: Route): string {
  return r.project && r.view !== 'projects' ? `#/project/${r.project}/${r.view}` : '';
}
