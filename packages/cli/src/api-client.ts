import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PatchwiseError, connectionFailure, errorFromResponse } from '@patchwise/core';
import { checkServerUrl } from './server-url.js';

export interface ApiTarget {
  readonly url: string;
  readonly token: string;
}

/**
 * Where the API is and which token to use: PATCHWISE_URL and PATCHWISE_TOKEN when set, else
 * what a local server left in its data directory (`server.json`, `admin-token`). The local admin
 * token goes only to the server that wrote it: with PATCHWISE_URL naming another origin (another
 * machine, a typo, a look-alike), PATCHWISE_TOKEN must be set, or the admin token would be sent
 * to whoever answers there.
 */
export function resolveApiTarget(env: Readonly<Record<string, string | undefined>>, dataDir?: string): ApiTarget {
  const dir = resolve(dataDir ?? env.PATCHWISE_DATA ?? 'data');
  const serverFile = join(dir, 'server.json');
  const tokenFile = join(dir, 'admin-token');
  const localUrl = existsSync(serverFile) ? (JSON.parse(readFileSync(serverFile, 'utf8')) as { url?: string }).url : undefined;
  if (localUrl) checkServerUrl(localUrl, `the url in ${serverFile}`);
  const url = env.PATCHWISE_URL || localUrl;
  if (env.PATCHWISE_URL) checkServerUrl(env.PATCHWISE_URL, 'PATCHWISE_URL');
  if (!url) throw new PatchwiseError('PW_CONFIG_INVALID', `no server: set PATCHWISE_URL, or run this where the server's data directory (${dir}) is`, { input: 'PATCHWISE_URL' });
  if (env.PATCHWISE_TOKEN) return { url, token: env.PATCHWISE_TOKEN };
  if (!existsSync(tokenFile)) throw new PatchwiseError('PW_CONFIG_INVALID', `no API token: set PATCHWISE_TOKEN, or run this where ${tokenFile} is readable`, { input: 'PATCHWISE_TOKEN' });
  if (!localUrl || new URL(url).origin !== new URL(localUrl).origin) {
    throw new PatchwiseError(
      'PW_CONFIG_INVALID',
      `PATCHWISE_URL (${url}) is not the server whose admin token is in ${tokenFile}${localUrl ? ` (${localUrl})` : ''}: set PATCHWISE_TOKEN to a token of that server; the local admin token is sent only to its own server`,
      { input: 'PATCHWISE_TOKEN' },
    );
  }
  return { url, token: readFileSync(tokenFile, 'utf8').trim() };
}

/** A small client for the admin API; errors come back as the server's PatchwiseError code. */
export class ApiClient {
  constructor(
    private readonly target: ApiTarget,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** The server's base URL. */
  get url(): string {
    return this.target.url;
  }

  get<T>(path: string, query: Record<string, string | number | boolean | readonly string[] | undefined> = {}): Promise<T> {
    const url = new URL(path, this.target.url);
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v as readonly string[]) url.searchParams.append(k, item);
      else url.searchParams.set(k, String(v));
    }
    return this.send<T>('GET', url);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('POST', new URL(path, this.target.url), JSON.stringify(body), 'application/json');
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('PUT', new URL(path, this.target.url), JSON.stringify(body), 'application/json');
  }

  delete<T = void>(path: string): Promise<T> {
    return this.send<T>('DELETE', new URL(path, this.target.url));
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('PATCH', new URL(path, this.target.url), JSON.stringify(body), 'application/json');
  }

  upload<T>(path: string, query: Record<string, string>, bytes: Buffer): Promise<T> {
    const url = new URL(path, this.target.url);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return this.send<T>('POST', url, bytes, 'application/octet-stream');
  }

  private async send<T>(method: string, url: URL, body?: string | Buffer, contentType?: string): Promise<T> {
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers: { authorization: `Bearer ${this.target.token}`, ...(contentType ? { 'content-type': contentType } : {}) },
        ...(body !== undefined ? { body } : {}),
      });
    } catch (err) {
      throw new PatchwiseError('PW_SERVER_UNREACHABLE', connectionFailure(err, this.target.url), { cause: err });
    }
    const text = await res.text();
    if (res.ok) return (text ? JSON.parse(text) : undefined) as T;
    const err = errorFromResponse(res.status, text, `${method} ${url.pathname}`);
    const readable = res.status === 400 && err.code === 'PW_INPUT_INVALID' ? readableValidationMessage(serverMessage(text)) : undefined;
    throw readable === undefined ? err : new PatchwiseError(err.code, `${method} ${url.pathname}: ${readable}`);
  }
}

function serverMessage(body: string): string {
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? message : '';
  } catch {
    return '';
  }
}

/** One schema error as the server says it: `querystring sort: …`, `body attributes.tier: …`, `body: …`. */
const SCHEMA_ERROR = /^(body|querystring|params|headers)(?: ([^\s:]+))?: (.+)$/;

/**
 * The server's schema errors (`querystring sort: must be one of priority, first_seen (got "x")`,
 * one per field, joined by `; `) in the words of a person who typed a command:
 * `query parameter sort: must be one of …`. Undefined for any other message, which is then shown
 * as the server wrote it.
 */
export function readableValidationMessage(message: string): string | undefined {
  const said: string[] = [];
  // Split only where the next field's error starts: a message's own text may hold `; `.
  for (const part of message.split(/; (?=(?:body|querystring|params|headers)[ :])/)) {
    const m = SCHEMA_ERROR.exec(part);
    if (!m) return undefined;
    const [, scope, field, text] = m as unknown as [string, string, string | undefined, string];
    said.push(`${fieldName(scope, field ?? '')}: ${text}`);
  }
  return said.join('; ');
}

function fieldName(scope: string, field: string): string {
  if (scope === 'querystring') return field ? `query parameter ${field}` : 'the query';
  if (scope === 'body') return field ? `request field ${field}` : 'the request body';
  if (scope === 'params') return field ? `path parameter ${field}` : 'the path';
  return field ? `header ${field}` : 'the headers';
}
