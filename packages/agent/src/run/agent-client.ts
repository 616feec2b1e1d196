import { randomFillSync, type KeyObject } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { AGENT_HEADERS, PatchwiseError, bodyDigest, connectionFailure, errorFromResponse, signRequest, type JobReport, type SignedJobManifest } from '@patchwise/core';
import type { WireFacts } from './wire-facts.js';

export interface CheckinReply {
  readonly intervalSeconds: number;
  readonly sendInventory: boolean;
  /** Attributes of this agent's configuration the server kept as a person set them (absent when none). */
  readonly heldAttributes?: readonly string[];
}

export interface InventoryReply {
  readonly packages: number;
  /** `retracted`: closed because the advisory changed, not the host (absent from older servers). */
  readonly changes: { readonly opened: number; readonly updated: number; readonly fixed: number; readonly retracted?: number };
  readonly open: Record<'P1' | 'P2' | 'P3' | 'P4', number>;
  /** Ecosystems of its packages no advisory on the server covers (absent from older servers). */
  readonly uncovered?: readonly string[];
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

/** How long a request may take, replies included (a long-poll for jobs waits up to 30 s of it). */
const REQUEST_TIMEOUT_MS = 60_000;
/**
 * Requests started this close together share one deadline signal. `AbortSignal.timeout` costs
 * ~15 µs and a live timer for a minute each, which a load generator making thousands of
 * requests a second pays on the cores it shares with the server; an agent making one request a
 * minute gets its own as before. A shared deadline ends at most this much early.
 */
const DEADLINE_SHARING_MS = 1000;
/** Nonce bytes (18 each) drawn from the system's CSPRNG in one call: ~16 µs a call, ~0.3 µs a nonce from the pool. */
const NONCE_BYTES = 18;
const NONCE_POOL_BYTES = NONCE_BYTES * 256;

/** The agent's side of the API: enrollment, then requests signed with the host's key. */
export class AgentClient {
  private deadline: { readonly signal: AbortSignal; readonly startedAt: number } | undefined;
  /** Random bytes not yet used for a nonce: each byte goes into one nonce only, then the pool is refilled. */
  private readonly noncePool = Buffer.alloc(NONCE_POOL_BYTES);
  private nonceAt = NONCE_POOL_BYTES;

  constructor(
    private readonly serverUrl: string,
    private readonly clock: () => Date = () => new Date(),
    private readonly fetchImpl: HttpTransport = fetch,
  ) {}

  enroll(token: string, publicKey: string, facts: WireFacts, attributes?: Record<string, unknown>): Promise<EnrollReply> {
    return this.request<EnrollReply>('POST', '/api/v1/agent/enroll', { token, publicKey, facts, ...(attributes ? { attributes } : {}) });
  }

  /** `signal` abandons the request (the agent is stopping): the next run checks in again. */
  checkin(identity: Signer, facts: WireFacts, inventoryDigest: string | null, attributes?: Record<string, unknown>, signal?: AbortSignal): Promise<CheckinReply> {
    return this.request<CheckinReply>('POST', '/api/v1/agent/checkin', { facts, inventoryDigest, ...(attributes ? { attributes } : {}) }, identity, signal);
  }

  putInventory(identity: Signer, digest: string, inventory: unknown, signal?: AbortSignal): Promise<InventoryReply> {
    return this.request<InventoryReply>('PUT', '/api/v1/agent/inventory', { digest, inventory }, identity, signal);
  }

  /**
   * `putInventory` with its body already serialized: the JSON text of `{ digest, inventory }`,
   * sent and signed byte for byte as given. For a load generator that assembles the text from
   * cached fragments: stringifying a 1,000-package document on every upload costs CPU it shares
   * with the server it drives. The caller answers for the text being what `putInventory` sends.
   */
  putInventoryJson(identity: Signer, body: string): Promise<InventoryReply> {
    return this.send<InventoryReply>('PUT', '/api/v1/agent/inventory', body, identity);
  }

  /**
   * The signed manifests waiting for this host; the server holds the request up to `waitSeconds`
   * for one. `signal` ends the wait (the agent is stopping); the server then hands out nothing,
   * so no manifest counts as delivered to an agent that went away.
   */
  async jobs(identity: Signer, waitSeconds = 0, signal?: AbortSignal): Promise<SignedJobManifest[]> {
    return (await this.request<{ jobs: SignedJobManifest[] }>('POST', '/api/v1/agent/jobs', waitSeconds > 0 ? { waitSeconds } : {}, identity, signal)).jobs;
  }

  /** Sends a job's report; `recorded: false` when the server already had one (a repeat is harmless). */
  reportJob(identity: Signer, report: JobReport): Promise<{ recorded: boolean }> {
    return this.request<{ recorded: boolean }>('POST', '/api/v1/agent/jobs/report', { report }, identity);
  }

  private request<T>(method: string, path: string, payload: unknown, signer?: Signer, signal?: AbortSignal): Promise<T> {
    return this.send<T>(method, path, JSON.stringify(payload), signer, signal);
  }

  private async send<T>(method: string, path: string, body: string, signer?: Signer, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signer) {
      const timestamp = String(this.clock().getTime());
      const nonce = this.nextNonce();
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
      const deadline = this.deadlineSignal();
      res = await this.fetchImpl(new URL(path, this.serverUrl), { method, headers, body, signal: signal ? AbortSignal.any([deadline, signal]) : deadline });
    } catch (err) {
      // The caller's own stop is no connection failure; anything else says why there was no answer.
      const why = signal?.aborted ? `stopped (${this.serverUrl})` : connectionFailure(err, this.serverUrl);
      throw new PatchwiseError('PW_SERVER_UNREACHABLE', `${method} ${path}: ${why}`, { cause: err });
    }
    const text = await res.text();
    if (res.ok) return JSON.parse(text) as T;
    throw errorFromResponse(res.status, text, `${method} ${path}`, this.serverUrl);
  }

  /** 18 random bytes, base64url: the request's nonce. */
  private nextNonce(): string {
    if (this.nonceAt + NONCE_BYTES > NONCE_POOL_BYTES) {
      randomFillSync(this.noncePool);
      this.nonceAt = 0;
    }
    const nonce = this.noncePool.toString('base64url', this.nonceAt, this.nonceAt + NONCE_BYTES);
    this.nonceAt += NONCE_BYTES;
    return nonce;
  }

  /** A signal that aborts REQUEST_TIMEOUT_MS (less up to DEADLINE_SHARING_MS) from now. */
  private deadlineSignal(): AbortSignal {
    const now = performance.now();
    if (this.deadline === undefined || now - this.deadline.startedAt >= DEADLINE_SHARING_MS) {
      const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
      // Each request in flight listens on it (and stops when done): many at once is no leak.
      setMaxListeners(0, signal);
      this.deadline = { signal, startedAt: now };
    }
    return this.deadline.signal;
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
