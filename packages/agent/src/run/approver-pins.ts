import { PatchwiseError, parsePublicKey } from '@patchwise/core';

/**
 * The approvers an agent trusts, pinned at enrollment from the agent's own configuration (never
 * from the server, so a stolen server cannot name itself an approver): their Ed25519 public keys
 * and M, how many distinct ones must have signed a job's targets (docs/job-manifests.md).
 */
export interface ApproverPins {
  /** 32-byte raw public keys in base64url, as `patchwise keys approvers` lists them. */
  readonly approverKeys: readonly string[];
  readonly requiredApprovals: number;
  /**
   * The environment this host belongs to: only approvals of changes to it count. Without it, an
   * approval of a patch set for a test environment would count on production hosts too.
   */
  readonly approvalEnvironment?: string | undefined;
}

/** No approvers pinned: manifests need only the server's signature. */
export const NO_APPROVERS: ApproverPins = { approverKeys: [], requiredApprovals: 0 };

const MAX_APPROVER_KEYS = 50;
/** As change requests name environments (routes/change-routes.ts). */
const ENVIRONMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Checks an approvers document `{ approverKeys: [...], requiredApprovals: M, approvalEnvironment? }`:
 * distinct valid keys, 1 ≤ M ≤ their number. PW_INPUT_INVALID naming the field and `input`.
 */
export function parseApproverPins(value: unknown, input: string): ApproverPins {
  const fail = (message: string) => new PatchwiseError('PW_INPUT_INVALID', message, { input });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('expected an object { approverKeys, requiredApprovals }');
  const o = value as Record<string, unknown>;
  const unknown = Object.keys(o).find((k) => k !== 'approverKeys' && k !== 'requiredApprovals' && k !== 'approvalEnvironment');
  if (unknown !== undefined) throw fail(`unknown field "${unknown}"`);
  if (!Array.isArray(o.approverKeys) || o.approverKeys.length === 0 || o.approverKeys.length > MAX_APPROVER_KEYS) throw fail(`approverKeys: must list 1–${MAX_APPROVER_KEYS} public keys`);
  const keys = o.approverKeys.map((k: unknown, i) => {
    if (typeof k !== 'string') throw fail(`approverKeys[${i}]: must be an Ed25519 public key in base64url`);
    try {
      parsePublicKey(k);
    } catch {
      throw fail(`approverKeys[${i}]: must be an Ed25519 public key in base64url`);
    }
    return k;
  });
  if (new Set(keys).size !== keys.length) throw fail('approverKeys: a key is listed twice (each approver counts once)');
  const m = o.requiredApprovals;
  if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > keys.length) throw fail(`requiredApprovals: must be an integer from 1 to ${keys.length} (the number of approver keys)`);
  const env = o.approvalEnvironment;
  if (env !== undefined && (typeof env !== 'string' || !ENVIRONMENT.test(env))) throw fail('approvalEnvironment: must be an environment name (letters, digits, . _ -; at most 64)');
  return { approverKeys: keys, requiredApprovals: m, ...(env === undefined ? {} : { approvalEnvironment: env }) };
}

/** Whether two pin sets are the same (order of keys aside). */
export function sameApproverPins(a: ApproverPins, b: ApproverPins): boolean {
  return a.requiredApprovals === b.requiredApprovals && a.approvalEnvironment === b.approvalEnvironment && a.approverKeys.length === b.approverKeys.length && a.approverKeys.every((k) => b.approverKeys.includes(k));
}
