import { randomBytes, type KeyObject } from 'node:crypto';
import { AGENT_HEADERS, PatchwiseError, bodyDigest, errorFromResponse, signRequest, type JobReport, type SignedJobManifest } from '@patchwise/core';
import type { WireFacts } from './wire-facts.js';

export interface CheckinReply {
  readonly intervalSeconds: number;
  readonly sendInventory: boolean;
}

export interface InventoryReply {
  readonly packages: number;
  readonly changes: { readonly opened: number; readonly updated: number; readonly fixed: number };
  readonly open: Record<'P1' | 'P2' | 'P3' | 'P4', number>;
}

export interface EnrollReply {
  readonly hostId: string;
  readonly status: string;
  readonly quarantineReason: string | null;
  readonly intervalSeconds: number;
  /**
   * The server's job-signing Ed25519 public key (32 bytes, base64url), pinned in identity.json:
   * the agent runs only job manifests it signed. Absent from servers older than signed manifests.
   */
  readonly jobSigningKey?: string;
}

/**
 * The part of `fetch` the client uses. The global fetch fits; a load generator passes a lighter
 * one (the simulator's keep-alive transport), since its CPU is shared with the server it drives.
 */
export type HttpTransport = (
  url: URL,
  init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ readonly ok: boolean; readonly status: number; text(): Promise<string> }>;

/** The agent's side of the API: enrollment, then requests signed with the host's key. */
export class AgentClient {
  constructor(
    private readonly serverUrl: string,
    private readonly clock: () => Date = () => new Date(),
    private readonly fetchImpl: HttpTransport = fetch,
  ) {}

  enroll(token: string, publicKey: string, facts: WireFacts, attributes?: Record<string, unknown>): Promise<EnrollReply> {
    return this.request<EnrollReply>('POST', '/api/v1/agent/enroll', { token, publicKey, facts, ...(attributes ? { attributes } : {}) });
  }

  checkin(identity: Signer, facts: WireFacts, inventoryDigest: string | null, attributes?: Record<string, unknown>): Promise<CheckinReply> {
    return this.request<CheckinReply>('POST', '/api/v1/agent/checkin', { facts, inventoryDigest, ...(attributes ? { attributes } : {}) }, identity);
  }

  putInventory(identity: Signer, digest: string, inventory: unknown): Promise<InventoryReply> {
    return this.request<InventoryReply>('PUT', '/api/v1/agent/inventory', { digest, inventory }, identity);
  }

  /** The signed manifests waiting for this host; the server holds the request up to `waitSeconds` for one. */
  async jobs(identity: Signer, waitSeconds = 0): Promise<SignedJobManifest[]> {
    return (await this.request<{ jobs: SignedJobManifest[] }>('POST', '/api/v1/agent/jobs', waitSeconds > 0 ? { waitSeconds } : {}, identity)).jobs;
  }

  /** Sends a job's report; `recorded: false` when the server already had one (a repeat is harmless). */
  reportJob(identity: Signer, report: JobReport): Promise<{ recorded: boolean }> {
    return this.request<{ recorded: boolean }>('POST', '/api/v1/agent/jobs/report', { report }, identity);
  }

  private async request<T>(method: string, path: string, payload: unknown, signer?: Signer): Promise<T> {
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signer) {
      const timestamp = String(this.clock().getTime());
      const nonce = randomBytes(18).toString('base64url');
      const parts = { method, path, bodyDigest: bodyDigest(body), timestamp, nonce, host: signer.hostId };
      Object.assign(headers, {
        [AGENT_HEADERS.host]: signer.hostId,
        [AGENT_HEADERS.timestamp]: timestamp,
        [AGENT_HEADERS.nonce]: nonce,
        [AGENT_HEADERS.signature]: signRequest(signer.privateKey, parts),
      });
    }
    let res: Awaited<ReturnType<HttpTransport>>;
    try {
      res = await this.fetchImpl(new URL(path, this.serverUrl), { method, headers, body, signal: AbortSignal.timeout(60_000) });
    } catch (err) {
      throw new PatchwiseError('PW_SERVER_UNREACHABLE', `${method} ${path}: ${(err as Error).message}`, { input: this.serverUrl, cause: err });
    }
    const text = await res.text();
    if (res.ok) return JSON.parse(text) as T;
    throw errorFromResponse(res.status, text, `${method} ${path}`, this.serverUrl);
  }
}

export interface Signer {
  readonly hostId: string;
  /**
   * PEM as the agent stores it, or a parsed key: parsing an Ed25519 PEM costs about ten times
   * signing with it, which matters to a simulated fleet signing thousands of requests a second.
   */
  readonly privateKey: string | KeyObject;
}
