export { listInputFiles, loadInputFile, readInputFile, readInputs } from './read-inputs.js';
export type { InputArchive, InputFile } from './read-inputs.js';
export { parseJson, parseYaml } from './parse-document.js';
export { DEFAULT_LIMITS, formatBytes } from './limits.js';
export type { InputLimits } from './limits.js';
export type { InputDocument, InputItem, InputProblem } from './input-document.js';
