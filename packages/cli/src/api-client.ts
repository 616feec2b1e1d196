import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PatchwiseError, errorFromResponse } from '@patchwise/core';

export interface ApiTarget {
  readonly url: string;
  readonly token: string;
}

/**
 * Where the API is and which token to use: PATCHWISE_URL and PATCHWISE_TOKEN when set, else
 * what a local server left in its data directory (`server.json`, `admin-token`).
 */
export function resolveApiTarget(env: Readonly<Record<string, string | undefined>>, dataDir?: string): ApiTarget {
  const dir = resolve(dataDir ?? env.PATCHWISE_DATA ?? 'data');
  let url = env.PATCHWISE_URL;
  let token = env.PATCHWISE_TOKEN;
  if (!url) {
    const path = join(dir, 'server.json');
    if (existsSync(path)) url = (JSON.parse(readFileSync(path, 'utf8')) as { url?: string }).url;
  }
  if (!token) {
    const path = join(dir, 'admin-token');
    if (existsSync(path)) token = readFileSync(path, 'utf8').trim();
  }
  if (!url) throw new PatchwiseError('PW_CONFIG_INVALID', `no server: set PATCHWISE_URL, or run this where the server's data directory (${dir}) is`, { input: 'PATCHWISE_URL' });
  if (!token) throw new PatchwiseError('PW_CONFIG_INVALID', `no API token: set PATCHWISE_TOKEN, or run this where ${join(dir, 'admin-token')} is readable`, { input: 'PATCHWISE_TOKEN' });
  return { url, token };
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
      throw new PatchwiseError('PW_SERVER_UNREACHABLE', `${method} ${url.pathname}: ${(err as Error).message}`, { input: this.target.url, cause: err });
    }
    const text = await res.text();
    if (res.ok) return (text ? JSON.parse(text) : undefined) as T;
    throw errorFromResponse(res.status, text, `${method} ${url.pathname}`);
  }
}
