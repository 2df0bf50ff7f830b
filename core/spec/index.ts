export * from './model-spec';
export { SpecError } from './spec-error';
export { validateSpec } from './validate-spec';
export { checkServable, resolveSpec, type ResolvedLayer, type ResolvedModel } from './resolve';
export { applyOverrides, type SpecOverrides } from './overrides';
export { DEFAULT_PRESET, getPreset, PRESET_NAMES } from './presets';
