import type { HostRecord } from '@patchwise/core';

/**
 * The host's os-release PRETTY_NAME as its agent reported it (kept in its facts, not a column):
 * the only thing that tells CentOS Stream from CentOS Linux, whose ID is the same.
 */
export function prettyNameOf(h: HostRecord): string | undefined {
  const os = h.facts.os;
  const name = os !== null && typeof os === 'object' ? (os as Record<string, unknown>).prettyName : undefined;
  return typeof name === 'string' ? name : undefined;
}
