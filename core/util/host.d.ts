// core/ is compiled without DOM or Node typings; these timer functions exist in every runtime it
// targets (Node, workers, Chromium), so they are declared here rather than pulled in with a lib.
declare function setTimeout(callback: () => void, ms?: number): unknown;
declare function clearTimeout(handle: unknown): void;
