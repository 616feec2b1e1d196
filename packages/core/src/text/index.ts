/** Wording shared by the programs' messages (CLI, server, agent). */
export { countNoun } from './count-noun.js';
