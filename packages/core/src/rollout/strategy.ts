import { PatchwiseError } from '../errors/index.js';
import type { RebootPolicy } from './job-manifest.js';

/** A number of hosts, as a count or a percentage of a whole (a wave, the deployment). */
export type Amount = { readonly count: number } | { readonly percent: number };

/** How the hosts after the canary are cut into waves. */
export type WaveSizing =
  /** Sizes (counts or percentages of all hosts) in order; the last one repeats until every host has a wave. */
  | { readonly kind: 'sizes'; readonly sizes: readonly Amount[] }
  /** Each wave `factor` times the previous one, starting from the canary's size (or 1). */
  | { readonly kind: 'exponential'; readonly factor: number };

/**
 * How a deployment proceeds. The first wave is the canary; every wave must finish within its
 * error budget, and soak, before the next starts; blitz (the emergency lane) skips soaking but
 * keeps concurrency, cluster limits and budgets.
 */
export interface RolloutStrategy {
  readonly canary: Amount;
  readonly waves: WaveSizing;
  /** Jobs of the deployment in flight at once. */
  readonly concurrency: Amount;
  /** Failed or rolled-back jobs allowed; one more halts the deployment. */
  readonly errorBudget: { readonly perWave: Amount; readonly total: Amount };
  readonly soakMinutes: number;
  /** Hosts of one cluster patching or rebooting at once, over every deployment. */
  readonly clusterMaxUnavailable: number;
  readonly blitz: boolean;
  readonly reboot: RebootPolicy;
  /** A job fetched by its executor and not reported within this time counts as failed. */
  readonly jobTimeoutMinutes: number;
  /** A host asked to reboot and not back within this time fails its job. */
  readonly rebootTimeoutMinutes: number;
}

/** A careful default: one canary, then 10 % and the rest in 25 % waves, no failure tolerated. */
export const DEFAULT_STRATEGY: RolloutStrategy = {
  canary: { count: 1 },
  waves: { kind: 'sizes', sizes: [{ percent: 10 }, { percent: 25 }] },
  concurrency: { percent: 10 },
  errorBudget: { perWave: { count: 0 }, total: { count: 0 } },
  soakMinutes: 60,
  clusterMaxUnavailable: 1,
  blitz: false,
  reboot: 'if-required',
  jobTimeoutMinutes: 60,
  rebootTimeoutMinutes: 30,
};

/**
 * How many hosts an amount is out of `whole`: a count is capped at the whole; a percentage is
 * rounded up so that any non-zero percentage of a non-empty whole is at least one host.
 */
export function amountOf(amount: Amount, whole: number): number {
  if ('count' in amount) return Math.min(amount.count, whole);
  return Math.min(whole, Math.ceil((whole * amount.percent) / 100));
}

/** `5` or `5%` (as text or a number) → an Amount. */
export function parseAmount(value: unknown, where: string): Amount {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') throw invalid(where, 'must be a count like 5 or a percentage like 10%');
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) throw invalid(where, `${JSON.stringify(text)} is not a count like 5 or a percentage like 10%`);
  const n = Number(m[1]);
  if (m[2] === '%') {
    if (n > 100) throw invalid(where, `${text} is more than 100%`);
    return { percent: n };
  }
  if (!Number.isInteger(n)) throw invalid(where, `${text} is not a whole number of hosts`);
  return { count: n };
}

export function formatAmount(amount: Amount): string {
  return 'count' in amount ? String(amount.count) : `${amount.percent}%`;
}

const REBOOT_POLICIES: readonly RebootPolicy[] = ['never', 'if-required', 'always'];
const KEYS = new Set(['canary', 'waves', 'concurrency', 'errorBudget', 'soakMinutes', 'clusterMaxUnavailable', 'blitz', 'reboot', 'jobTimeoutMinutes', 'rebootTimeoutMinutes']);

/**
 * A strategy from JSON or YAML input; what is left out comes from DEFAULT_STRATEGY. `waves` is
 * `exponential`, `{ exponential: FACTOR }` or a list of amounts.
 */
export function parseStrategy(input: unknown, where = 'strategy'): RolloutStrategy {
  if (input === undefined || input === null) return DEFAULT_STRATEGY;
  if (typeof input !== 'object' || Array.isArray(input)) throw invalid(where, 'must be an object');
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.has(k)) throw invalid(`${where}.${k}`, `unknown setting (known: ${[...KEYS].join(', ')})`);
  const d = DEFAULT_STRATEGY;
  const budget = o.errorBudget === undefined ? {} : o.errorBudget;
  if (typeof budget !== 'object' || budget === null || Array.isArray(budget)) throw invalid(`${where}.errorBudget`, 'must be an object with perWave and total');
  const b = budget as Record<string, unknown>;
  const concurrency = o.concurrency === undefined ? d.concurrency : parseAmount(o.concurrency, `${where}.concurrency`);
  if (amountOf(concurrency, 1_000_000) === 0) throw invalid(`${where}.concurrency`, 'must allow at least one job at a time');
  const reboot = o.reboot ?? d.reboot;
  if (!REBOOT_POLICIES.includes(reboot as RebootPolicy)) throw invalid(`${where}.reboot`, `must be one of ${REBOOT_POLICIES.join(', ')}`);
  return {
    canary: o.canary === undefined ? d.canary : parseAmount(o.canary, `${where}.canary`),
    waves: o.waves === undefined ? d.waves : parseWaves(o.waves, `${where}.waves`),
    concurrency,
    errorBudget: {
      perWave: b.perWave === undefined ? d.errorBudget.perWave : parseAmount(b.perWave, `${where}.errorBudget.perWave`),
      total: b.total === undefined ? d.errorBudget.total : parseAmount(b.total, `${where}.errorBudget.total`),
    },
    soakMinutes: o.soakMinutes === undefined ? d.soakMinutes : wholeNumber(o.soakMinutes, `${where}.soakMinutes`, 0, 30 * 24 * 60),
    clusterMaxUnavailable: o.clusterMaxUnavailable === undefined ? d.clusterMaxUnavailable : wholeNumber(o.clusterMaxUnavailable, `${where}.clusterMaxUnavailable`, 1, 100_000),
    blitz: o.blitz === undefined ? d.blitz : boolean(o.blitz, `${where}.blitz`),
    reboot: reboot as RebootPolicy,
    jobTimeoutMinutes: o.jobTimeoutMinutes === undefined ? d.jobTimeoutMinutes : wholeNumber(o.jobTimeoutMinutes, `${where}.jobTimeoutMinutes`, 1, 7 * 24 * 60),
    rebootTimeoutMinutes: o.rebootTimeoutMinutes === undefined ? d.rebootTimeoutMinutes : wholeNumber(o.rebootTimeoutMinutes, `${where}.rebootTimeoutMinutes`, 1, 24 * 60),
  };
}

/** The strategy as the plain JSON `parseStrategy` reads back. */
export function strategyToJson(s: RolloutStrategy): Record<string, unknown> {
  return {
    canary: formatAmount(s.canary),
    waves: s.waves.kind === 'exponential' ? { exponential: s.waves.factor } : s.waves.sizes.map(formatAmount),
    concurrency: formatAmount(s.concurrency),
    errorBudget: { perWave: formatAmount(s.errorBudget.perWave), total: formatAmount(s.errorBudget.total) },
    soakMinutes: s.soakMinutes,
    clusterMaxUnavailable: s.clusterMaxUnavailable,
    blitz: s.blitz,
    reboot: s.reboot,
    jobTimeoutMinutes: s.jobTimeoutMinutes,
    rebootTimeoutMinutes: s.rebootTimeoutMinutes,
  };
}

function parseWaves(value: unknown, where: string): WaveSizing {
  if (value === 'exponential') return { kind: 'exponential', factor: 2 };
  if (Array.isArray(value)) {
    if (value.length === 0) throw invalid(where, 'needs at least one size');
    const sizes = value.map((v, i) => parseAmount(v, `${where}[${i}]`));
    if (sizes.some((s) => amountOf(s, 1_000_000) === 0)) throw invalid(where, 'a wave of 0 hosts never ends');
    return { kind: 'sizes', sizes };
  }
  if (typeof value === 'object' && value !== null && 'exponential' in value) {
    const factor = (value).exponential;
    if (typeof factor !== 'number' || !(factor > 1) || factor > 100) throw invalid(`${where}.exponential`, 'must be a factor above 1 and at most 100');
    return { kind: 'exponential', factor };
  }
  throw invalid(where, 'must be a list of sizes (5, 10%, …) or "exponential"');
}

function wholeNumber(value: unknown, where: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalid(where, `must be a whole number from ${min} to ${max}`);
  return value;
}

function boolean(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') throw invalid(where, 'must be true or false');
  return value;
}

function invalid(where: string, reason: string): PatchwiseError {
  return new PatchwiseError('PW_INPUT_INVALID', `${where}: ${reason}`);
}
