import { PatchwiseError, parseFeedUrl, type FeedSource } from '@patchwise/core';
import { readConfigFile } from './read-config-file.js';
import { parseDuration } from './server-config.js';

const KINDS: readonly FeedSource['kind'][] = ['osv', 'kev', 'epss', 'nvd'];
const FIELDS = new Set(['name', 'kind', 'url', 'sha256Url', 'interval']);
const DEFAULT_INTERVAL = '6h';
// Public feeds refresh hourly at most; polling faster only costs their bandwidth and ours.
const MIN_INTERVAL_SECONDS = 5 * 60;
const MAX_INTERVAL_SECONDS = 30 * 86400;

/**
 * Reads the feed sources file of `patchwise server --feeds FILE`: a YAML or JSON list of
 * `{ name, kind: osv|kev|epss|nvd, url, sha256Url?, interval? }` (interval like `6h`, default 6h).
 * Every entry is validated before any is used; an error (PW_CONFIG_INVALID) names the file,
 * the entry and the field.
 */
export async function loadFeedSources(path: string): Promise<FeedSource[]> {
  return parseFeedSources(await readConfigFile(path, 'feed sources'), path);
}

/** Validates an already parsed sources list; `source` names it in errors. */
export function parseFeedSources(value: unknown, source: string): FeedSource[] {
  if (!Array.isArray(value)) throw invalid(source, 'expected a list of feed sources');
  const names = new Set<string>();
  return value.map((entry: unknown, i) => {
    const at = `feeds[${i}]`;
    if (!isObject(entry)) throw invalid(source, `${at}: expected an object with name, kind and url`);
    const name = entry.name;
    if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(name)) {
      throw invalid(source, `${at}.name: expected 1-100 letters, digits, '.', '_', ':' or '-'`);
    }
    const where = `${at} (${name})`;
    for (const key of Object.keys(entry)) if (!FIELDS.has(key)) throw invalid(source, `${where}.${key}: unknown field (expected ${[...FIELDS].join(', ')})`);
    if (names.has(name)) throw invalid(source, `${where}.name: used by an earlier entry`);
    names.add(name);
    const kind = entry.kind;
    if (typeof kind !== 'string' || !KINDS.includes(kind as FeedSource['kind'])) throw invalid(source, `${where}.kind: expected one of ${KINDS.join(', ')}`);
    const url = urlField(entry.url, `${where}.url`, source);
    const sha256Url = entry.sha256Url === undefined || entry.sha256Url === null ? null : urlField(entry.sha256Url, `${where}.sha256Url`, source);
    const interval = entry.interval ?? DEFAULT_INTERVAL;
    if (typeof interval !== 'string' && typeof interval !== 'number') throw invalid(source, `${where}.interval: expected a duration such as 6h`);
    let intervalSeconds: number;
    try {
      intervalSeconds = parseDuration(String(interval), `${where}.interval`) / 1000;
    } catch (err) {
      throw invalid(source, (err as PatchwiseError).message);
    }
    if (intervalSeconds < MIN_INTERVAL_SECONDS || intervalSeconds > MAX_INTERVAL_SECONDS) throw invalid(source, `${where}.interval: must be between 5m and 30d`);
    return { name, kind: kind as FeedSource['kind'], url, sha256Url, intervalSeconds };
  });
}

function urlField(value: unknown, field: string, source: string): string {
  if (typeof value !== 'string') throw invalid(source, `${field}: expected a URL`);
  try {
    return parseFeedUrl(value, field).href;
  } catch (err) {
    throw invalid(source, (err as PatchwiseError).message);
  }
}

function invalid(source: string, message: string): PatchwiseError {
  return new PatchwiseError('PW_CONFIG_INVALID', message, { input: source });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
