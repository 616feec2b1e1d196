import type { KeyObject } from 'node:crypto';
import { MicroBatcher } from '../batching/index.js';
import { PatchwiseError } from '../errors/index.js';
import type { AccessStore } from './access-store.js';
import { AGENT_HEADERS, bodyDigest, parsePublicKey, verifyRequestSignature } from './request-signature.js';

export interface AgentRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The raw body bytes as received (before JSON parsing), or undefined for none. */
  readonly rawBody: Buffer | string | undefined;
}

/** How far an agent's clock may be from the server's; nonces are kept this long. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NONCE = /^[A-Za-z0-9_-]{22,128}$/;

/**
 * Proves which host sent a request: the host's pinned Ed25519 key signed the method, path, body
 * digest, timestamp, nonce and host id; the timestamp is fresh and the nonce unused. Every
 * failure is PW_UNAUTHENTICATED with the reason (agents log it; it reveals nothing secret).
 */
export class AgentAuthenticator {
  private readonly keys = new Map<string, KeyObject>();
  /**
   * Nonces of concurrent requests are recorded together, one insert per batch: at thousands of
   * check-ins a second, a statement and a commit per request cost PostgreSQL more than the
   * check-in itself. Each request still waits for its own nonce to be committed.
   */
  private readonly nonces: MicroBatcher<{ hostId: string; nonce: string; expiresAt: Date }, boolean>;

  constructor(
    private readonly store: AccessStore,
    private readonly clock: () => Date,
  ) {
    this.nonces = new MicroBatcher((entries) => this.store.useNonces(entries));
  }

  async authenticate(request: AgentRequest): Promise<string> {
    const host = header(request, AGENT_HEADERS.host);
    const timestamp = header(request, AGENT_HEADERS.timestamp);
    const nonce = header(request, AGENT_HEADERS.nonce);
    const signature = header(request, AGENT_HEADERS.signature);
    if (!UUID.test(host)) throw unauthenticated(`${AGENT_HEADERS.host} is not a host id`);
    if (!NONCE.test(nonce)) throw unauthenticated(`${AGENT_HEADERS.nonce} must be 22–128 base64url characters`);
    const sent = /^\d{1,15}$/.test(timestamp) ? Number(timestamp) : NaN;
    const now = this.clock().getTime();
    if (!Number.isFinite(sent) || Math.abs(now - sent) > MAX_CLOCK_SKEW_MS) {
      throw unauthenticated('the request timestamp is missing or more than 5 minutes from the server clock');
    }
    const key = await this.keyOf(host);
    const parts = { method: request.method, path: request.path, bodyDigest: bodyDigest(request.rawBody), timestamp, nonce, host };
    if (!verifyRequestSignature(key, parts, signature)) throw unauthenticated('the request signature does not verify');
    // The nonce is spent only after the signature verified, so nobody can burn an agent's nonces.
    if (!(await this.nonces.submit({ hostId: host, nonce, expiresAt: new Date(sent + MAX_CLOCK_SKEW_MS) }))) {
      throw unauthenticated('the request was replayed (nonce already used)');
    }
    return host;
  }

  private async keyOf(host: string): Promise<KeyObject> {
    let key = this.keys.get(host);
    if (key) return key;
    const text = await this.store.agentKey(host);
    if (!text) throw unauthenticated('no agent is enrolled as this host');
    key = parsePublicKey(text);
    this.keys.set(host, key);
    return key;
  }
}

function header(request: AgentRequest, name: string): string {
  const value = request.headers[name];
  if (typeof value !== 'string' || value === '') throw unauthenticated(`the ${name} header is missing`);
  return value;
}

function unauthenticated(reason: string): PatchwiseError {
  return new PatchwiseError('PW_UNAUTHENTICATED', reason);
}
