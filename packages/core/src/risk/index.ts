export { PRIORITIES, atOrAbove, prioritize, severityOfScore } from './priority.js';
export type { Priority, RiskInput, RiskVerdict } from './priority.js';
