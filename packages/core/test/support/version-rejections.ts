import { expect } from 'vitest';
import type { VersionScheme } from '../../src/versions/index.js';
import { caught } from './caught.js';

/**
 * Checks that `scheme` rejects each `[text, reason]` with PW_VERSION_INVALID, naming `text` as
 * the error's input, with a message that contains the reason and (unless empty) the text.
 */
export function expectRejections<V>(scheme: VersionScheme<V>, cases: ReadonlyArray<readonly [string, string]>): void {
  for (const [text, reason] of cases) {
    const r = caught(() => scheme.parse(text));
    expect(r.code).toBe('PW_VERSION_INVALID');
    expect(r.input).toBe(text);
    expect(r.message).toContain(reason);
    if (text !== '') expect(r.message).toContain(text);
  }
}
