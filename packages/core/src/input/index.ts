export { readInputs } from './read-inputs.js';
export { parseJson, parseYaml } from './parse-document.js';
export { DEFAULT_LIMITS, formatBytes } from './limits.js';
export type { InputLimits } from './limits.js';
export type { InputDocument, InputItem, InputProblem } from './input-document.js';
