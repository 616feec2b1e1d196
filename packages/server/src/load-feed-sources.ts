import { PatchwiseError, isNvdApiUrl, parseFeedUrl, type FeedSource } from '@patchwise/core';
import { readConfigFile } from './read-config-file.js';
import { parseDuration } from './server-config.js';

const KINDS: readonly FeedSource['kind'][] = ['osv', 'kev', 'epss', 'nvd'];
const FIELDS = new Set(['name', 'kind', 'url', 'sha256Url', 'interval', 'apiKeyEnv']);
const DEFAULT_INTERVAL = '6h';
// Public feeds refresh hourly at most; polling faster only costs their bandwidth and ours.
const MIN_INTERVAL_SECONDS = 5 * 60;
const MAX_INTERVAL_SECONDS = 30 * 86400;
// NVD asks API clients to sync no more often than every two hours.
const MIN_NVD_API_INTERVAL_SECONDS = 2 * 3600;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * Reads the feed sources file of `patchwise server --feeds FILE`: a YAML or JSON list of
 * `{ name, kind: osv|kev|epss|nvd, url, sha256Url?, interval?, apiKeyEnv? }` (interval like `6h`,
 * default 6h; apiKeyEnv names the environment variable holding an NVD API key, whose value must
 * be set now). Every entry is validated before any is used; an error (PW_CONFIG_INVALID) names
 * the file, the entry and the field, never a key.
 */
export async function loadFeedSources(path: string, env: NodeJS.ProcessEnv = process.env): Promise<FeedSource[]> {
  return parseFeedSources(await readConfigFile(path, 'feed sources'), path, env);
}

/** Validates an already parsed sources list; `source` names it in errors. */
export function parseFeedSources(value: unknown, source: string, env: NodeJS.ProcessEnv = process.env): FeedSource[] {
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
    const api = kind === 'nvd' && isNvdApiUrl(url);
    if (api && sha256Url !== null) throw invalid(source, `${where}.sha256Url: not used with the NVD CVE API, whose every page is a different answer`);
    if (api && intervalSeconds < MIN_NVD_API_INTERVAL_SECONDS) throw invalid(source, `${where}.interval: NVD asks API clients to sync at most every 2h`);
    const apiKeyEnv = entry.apiKeyEnv === undefined || entry.apiKeyEnv === null ? null : apiKeyEnvField(entry.apiKeyEnv, `${where}.apiKeyEnv`, url, api, source, env);
    return { name, kind: kind as FeedSource['kind'], url, sha256Url, intervalSeconds, ...(apiKeyEnv ? { apiKeyEnv } : {}) };
  });
}

/**
 * The name of the environment variable holding an NVD API key: the key itself stays out of the
 * sources file (often kept in version control). It is sent only to the API, over https or to
 * this machine, since a key sent in clear or to a saved page's host is a key given away.
 */
function apiKeyEnvField(value: unknown, field: string, url: string, api: boolean, source: string, env: NodeJS.ProcessEnv): string {
  if (typeof value !== 'string' || !ENV_NAME.test(value)) throw invalid(source, `${field}: expected the name of an environment variable (letters, digits and '_'), not the key itself`);
  if (!api) throw invalid(source, `${field}: only an nvd source whose url is the NVD CVE API (…/rest/json/cves/2.0, no query) sends an API key`);
  const { protocol, hostname } = new URL(url);
  if (protocol !== 'https:' && !['127.0.0.1', '[::1]', 'localhost'].includes(hostname)) throw invalid(source, `${field}: an API key is sent over https only`);
  if (!env[value]) throw invalid(source, `${field}: the environment variable ${value} is not set or empty`);
  return value;
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
