/**
 * The grammar of CVSS vector strings: for each version, every metric it defines, in the order
 * its specification lists them, with the values it allows, and which of them are mandatory.
 * These are facts from FIRST's specifications (v2 guide §2.4, v3.0/v3.1 §6, v4.0 §7), written
 * down once so the parser can reject what the scoring library would silently accept.
 */

/** A CVSS version Patchwise understands. */
export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';

/** The metrics one CVSS version defines. */
export interface CvssGrammar {
  /** Every metric, in specification order (the order of a canonical vector string). */
  readonly order: readonly string[];
  /** Metrics that every vector must carry (the base metrics). */
  readonly mandatory: ReadonlySet<string>;
  /** The values each metric allows. A `Map`, so a name such as `__proto__` is simply unknown. */
  readonly values: ReadonlyMap<string, ReadonlySet<string>>;
}

type MetricTable = readonly (readonly [metric: string, values: readonly string[]])[];

function grammar(base: MetricTable, optional: MetricTable): CvssGrammar {
  const all = [...base, ...optional];
  return {
    order: all.map(([metric]) => metric),
    mandatory: new Set(base.map(([metric]) => metric)),
    values: new Map(all.map(([metric, values]) => [metric, new Set(values)])),
  };
}

const CIA2 = ['N', 'P', 'C'];
const REQ2 = ['L', 'M', 'H', 'ND'];

const V2 = grammar(
  [
    ['AV', ['L', 'A', 'N']],
    ['AC', ['H', 'M', 'L']],
    ['Au', ['M', 'S', 'N']],
    ['C', CIA2],
    ['I', CIA2],
    ['A', CIA2],
  ],
  [
    ['E', ['U', 'POC', 'F', 'H', 'ND']],
    ['RL', ['OF', 'TF', 'W', 'U', 'ND']],
    ['RC', ['UC', 'UR', 'C', 'ND']],
    ['CDP', ['N', 'L', 'LM', 'MH', 'H', 'ND']],
    ['TD', ['N', 'L', 'M', 'H', 'ND']],
    ['CR', REQ2],
    ['IR', REQ2],
    ['AR', REQ2],
  ],
);

const CIA3 = ['H', 'L', 'N'];
const MCIA3 = ['X', 'H', 'L', 'N'];
const REQ3 = ['X', 'H', 'M', 'L'];

// v3.0 and v3.1 share one grammar: 3.1 changed formulas and wording, not the vector syntax.
const V3 = grammar(
  [
    ['AV', ['N', 'A', 'L', 'P']],
    ['AC', ['L', 'H']],
    ['PR', ['N', 'L', 'H']],
    ['UI', ['N', 'R']],
    ['S', ['U', 'C']],
    ['C', CIA3],
    ['I', CIA3],
    ['A', CIA3],
  ],
  [
    ['E', ['X', 'H', 'F', 'P', 'U']],
    ['RL', ['X', 'U', 'W', 'T', 'O']],
    ['RC', ['X', 'C', 'R', 'U']],
    ['CR', REQ3],
    ['IR', REQ3],
    ['AR', REQ3],
    ['MAV', ['X', 'N', 'A', 'L', 'P']],
    ['MAC', ['X', 'L', 'H']],
    ['MPR', ['X', 'N', 'L', 'H']],
    ['MUI', ['X', 'N', 'R']],
    ['MS', ['X', 'U', 'C']],
    ['MC', MCIA3],
    ['MI', MCIA3],
    ['MA', MCIA3],
  ],
);

const V4 = grammar(
  [
    ['AV', ['N', 'A', 'L', 'P']],
    ['AC', ['L', 'H']],
    ['AT', ['N', 'P']],
    ['PR', ['N', 'L', 'H']],
    ['UI', ['N', 'P', 'A']],
    ['VC', CIA3],
    ['VI', CIA3],
    ['VA', CIA3],
    ['SC', CIA3],
    ['SI', CIA3],
    ['SA', CIA3],
  ],
  [
    ['E', ['X', 'A', 'P', 'U']],
    ['CR', REQ3],
    ['IR', REQ3],
    ['AR', REQ3],
    ['MAV', ['X', 'N', 'A', 'L', 'P']],
    ['MAC', ['X', 'L', 'H']],
    ['MAT', ['X', 'N', 'P']],
    ['MPR', ['X', 'N', 'L', 'H']],
    ['MUI', ['X', 'N', 'P', 'A']],
    ['MVC', MCIA3],
    ['MVI', MCIA3],
    ['MVA', MCIA3],
    ['MSC', MCIA3],
    ['MSI', ['X', 'S', 'H', 'L', 'N']],
    ['MSA', ['X', 'S', 'H', 'L', 'N']],
    ['S', ['X', 'N', 'P']],
    ['AU', ['X', 'N', 'Y']],
    ['R', ['X', 'A', 'U', 'I']],
    ['V', ['X', 'D', 'C']],
    ['RE', ['X', 'L', 'M', 'H']],
    ['U', ['X', 'Clear', 'Green', 'Amber', 'Red']],
  ],
);

/** The grammar of each supported version. */
export const CVSS_GRAMMARS: Readonly<Record<CvssVersion, CvssGrammar>> = {
  '2.0': V2,
  '3.0': V3,
  '3.1': V3,
  '4.0': V4,
};

/** Every supported version, oldest first. */
export const CVSS_VERSIONS: readonly CvssVersion[] = ['2.0', '3.0', '3.1', '4.0'];

/** Type guard for {@link CvssVersion}. */
export function isCvssVersion(value: unknown): value is CvssVersion {
  return typeof value === 'string' && (CVSS_VERSIONS as readonly string[]).includes(value);
}
