import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** `../shared/data` beside the repository: real public data for tests (see its README). */
export const SHARED_DATA = resolve(import.meta.dirname, '../../../../../shared/data');

export function sharedData(...parts: string[]): string {
  return resolve(SHARED_DATA, ...parts);
}

export const hasSharedData = existsSync(SHARED_DATA);
