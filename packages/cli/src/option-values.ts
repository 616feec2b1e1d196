import { Option } from 'commander';
import { PatchwiseError } from '@patchwise/core/assessment';

/**
 * Options whose values the CLI checks itself, before any request: a bad value is then named with
 * its flag and what it may be (`--priority must be one of P1, P2, P3, P4, not "P5"`, exit 2),
 * rather than left to the server's schema, which names the request field instead of the flag.
 * The error is a PW_USAGE PatchwiseError, printed by main() like every other usage error.
 */

/** The long flag of an Option (`--priority`), for messages. */
const flagOf = (option: Option): string => option.long ?? option.flags;

export interface ChoiceSettings {
  /** The option may be given again; every value is collected into an array (default: no). */
  readonly repeatable?: boolean;
  /** Accept any letter case and store the value as listed (`p1` → `P1`); default: exact case. */
  readonly anyCase?: boolean;
}

/**
 * An option taking one of `values`. Help lists the choices (commander's `.choices()`), and a
 * value outside them is a usage error naming the flag and every allowed value.
 */
export function choiceOption(flags: string, description: string | undefined, values: readonly string[], settings: ChoiceSettings = {}): Option {
  const option = new Option(flags, description).choices(values);
  option.argParser((raw: string, previous: unknown) => {
    const value = settings.anyCase ? values.find((v) => v.toLowerCase() === raw.toLowerCase()) : values.find((v) => v === raw);
    if (value === undefined) throw new PatchwiseError('PW_USAGE', `${flagOf(option)} must be one of ${values.join(', ')}, not "${raw}"`);
    if (!settings.repeatable) return value;
    return [...(Array.isArray(previous) ? (previous as string[]) : []), value];
  });
  if (settings.repeatable) option.default([]);
  return option;
}

export interface IntegerSettings {
  readonly min: number;
  readonly max?: number;
  readonly repeatable?: boolean;
}

/**
 * An option taking a whole number in [min, max]. The parsed value stays the string given (what
 * the commands pass on), so only the check moves here.
 */
export function integerOption(flags: string, description: string | undefined, { min, max, repeatable }: IntegerSettings): Option {
  const option = new Option(flags, description);
  option.argParser((raw: string, previous: unknown) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new PatchwiseError('PW_USAGE', `${flagOf(option)} must be a whole number, not "${raw}"`);
    const n = Number(raw);
    // Digits past 2^53 are a whole number still, only out of range.
    if (!Number.isSafeInteger(n) || n < min || (max !== undefined && n > max)) {
      throw new PatchwiseError('PW_USAGE', `${flagOf(option)} must be ${rangeText(n, min, max)}, not ${raw.trim()}`);
    }
    if (!repeatable) return String(n);
    return [...(Array.isArray(previous) ? (previous as string[]) : []), String(n)];
  });
  if (repeatable) option.default([]);
  return option;
}

/** The allowed range in words, for a value `n` outside it. */
function rangeText(n: number, min: number, max: number | undefined): string {
  if (max !== undefined) return max === min + 1 ? `${min} or ${max}` : `from ${min} to ${max}`;
  return n < min ? `at least ${min}` : `at most ${Number.MAX_SAFE_INTEGER}`;
}

/** The parser of a repeatable string option: each occurrence appended (commander's `collect` idiom). */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];
