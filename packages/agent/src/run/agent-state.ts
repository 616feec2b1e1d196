import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PatchwiseError, generateAgentKeyPair, parsePublicKey, publicKeyOf, makeDirectories } from '@patchwise/core';
import { NO_APPROVERS, parseApproverPins, type ApproverPins } from './approver-pins.js';
import type { ReportedInventory } from './inventory-offer.js';

/** What an enrolled agent remembers between runs. */
export interface AgentIdentity {
  readonly hostId: string;
  readonly serverUrl: string;
  readonly privateKeyPem: string;
  readonly publicKey: string;
  /**
   * The server's job-signing public key pinned at enrollment (32 bytes, base64url), or null for
   * an agent enrolled before job manifests were signed: it refuses every manifest until it
   * re-enrolls (docs/job-manifests.md).
   */
  readonly jobSigningKey: string | null;
  /** Approvers pinned at enrollment (none: `approverKeys` empty, `requiredApprovals` 0), and their environment. */
  readonly approverKeys: readonly string[];
  readonly requiredApprovals: number;
  readonly approvalEnvironment?: string | undefined;
}

const KEY_FILE = 'agent.key';
const IDENTITY_FILE = 'identity.json';
const REPORTED_INVENTORY_FILE = 'reported-inventory.json';

/**
 * The agent's state directory: its Ed25519 private key (mode 0600, never sent anywhere) and the
 * host id the server gave it. The key is made before enrollment and kept if enrollment fails,
 * so a retry presents the same identity. Also what the server last took as this host's inventory.
 */
export class AgentState {
  constructor(readonly dir: string) {}

  /** The key pair, created on first use. */
  keyPair(): { privateKeyPem: string; publicKey: string } {
    const path = join(this.dir, KEY_FILE);
    if (existsSync(path)) {
      const privateKeyPem = readFileSync(path, 'utf8');
      try {
        return { privateKeyPem, publicKey: publicKeyOf(privateKeyPem) };
      } catch (err) {
        throw new PatchwiseError('PW_INPUT_INVALID', 'not an Ed25519 private key in PEM', { input: path, cause: err });
      }
    }
    makeDirectories(this.dir, 0o700);
    const pair = generateAgentKeyPair();
    writeFileSync(path, pair.privateKeyPem, { mode: 0o600 });
    chmodSync(path, 0o600);
    return { privateKeyPem: pair.privateKeyPem, publicKey: pair.publicKey };
  }

  identity(): AgentIdentity | undefined {
    const path = join(this.dir, IDENTITY_FILE);
    if (!existsSync(path)) return undefined;
    let saved: { hostId?: unknown; serverUrl?: unknown; jobSigningKey?: unknown; approverKeys?: unknown; requiredApprovals?: unknown; approvalEnvironment?: unknown };
    try {
      saved = JSON.parse(readFileSync(path, 'utf8')) as typeof saved;
    } catch (err) {
      throw new PatchwiseError('PW_INPUT_MALFORMED', 'not JSON; remove it to enroll again', { input: path, cause: err });
    }
    if (typeof saved.hostId !== 'string' || typeof saved.serverUrl !== 'string') {
      throw new PatchwiseError('PW_INPUT_INVALID', 'hostId and serverUrl must be strings; remove it to enroll again', { input: path });
    }
    const jobSigningKey = saved.jobSigningKey ?? null;
    if (jobSigningKey !== null && (typeof jobSigningKey !== 'string' || !isPublicKey(jobSigningKey))) {
      // Never fall back to "no key": a damaged pin must not look like an old enrollment.
      throw new PatchwiseError('PW_INPUT_INVALID', 'jobSigningKey must be an Ed25519 public key in base64url; remove the file to enroll again', { input: path });
    }
    const { approverKeys, requiredApprovals, approvalEnvironment } = saved;
    const approvers = approverKeys === undefined && requiredApprovals === undefined ? NO_APPROVERS : parseApproverPins({ approverKeys, requiredApprovals, ...(approvalEnvironment === undefined ? {} : { approvalEnvironment }) }, path);
    return { hostId: saved.hostId, serverUrl: saved.serverUrl, jobSigningKey, ...approvers, ...this.keyPair() };
  }

  /**
   * Records the enrollment: the host id, the server, the job-signing key to pin (null: none was
   * sent) and the approvers from the agent's configuration, if any.
   */
  saveIdentity(hostId: string, serverUrl: string, jobSigningKey: string | null, approvers: ApproverPins = NO_APPROVERS): void {
    const pins = approvers.requiredApprovals > 0 ? { approverKeys: approvers.approverKeys, requiredApprovals: approvers.requiredApprovals, approvalEnvironment: approvers.approvalEnvironment } : {};
    writeFileSync(join(this.dir, IDENTITY_FILE), `${JSON.stringify({ hostId, serverUrl, jobSigningKey, ...pins }, null, 2)}\n`, { mode: 0o600 });
  }

  /**
   * What the server last took from this agent (see ReportedInventory), or undefined when nothing
   * is recorded. Throws PW_INPUT_MALFORMED, naming the file, when it is not what this class wrote.
   */
  reportedInventory(): ReportedInventory | undefined {
    const path = join(this.dir, REPORTED_INVENTORY_FILE);
    if (!existsSync(path)) return undefined;
    let saved: unknown;
    try {
      saved = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new PatchwiseError('PW_INPUT_MALFORMED', 'not JSON; remove it and the next check-in records it again', { input: path, cause: err });
    }
    if (!isReportedInventory(saved)) {
      throw new PatchwiseError('PW_INPUT_MALFORMED', 'expected { digest, distribution: { id, versionId } | null }; remove it and the next check-in records it again', { input: path });
    }
    return { digest: saved.digest, distribution: saved.distribution === null ? null : { id: saved.distribution.id, versionId: saved.distribution.versionId } };
  }

  saveReportedInventory(reported: ReportedInventory): void {
    writeFileSync(join(this.dir, REPORTED_INVENTORY_FILE), `${JSON.stringify(reported)}\n`, { mode: 0o600 });
  }
}

function isReportedInventory(v: unknown): v is ReportedInventory {
  if (typeof v !== 'object' || v === null) return false;
  const { digest, distribution } = v as { digest?: unknown; distribution?: unknown };
  if (typeof digest !== 'string') return false;
  if (distribution === null) return true;
  if (typeof distribution !== 'object' || distribution === undefined) return false;
  const { id, versionId } = distribution as { id?: unknown; versionId?: unknown };
  return typeof id === 'string' && (versionId === null || typeof versionId === 'string');
}

function isPublicKey(text: string): boolean {
  try {
    parsePublicKey(text);
    return true;
  } catch {
    return false;
  }
}
