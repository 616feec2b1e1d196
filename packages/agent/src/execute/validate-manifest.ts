/**
 * Everything a job carries is checked before its first command: the manager is the driver's,
 * every name and version passes the ecosystem's rules, every script's hash matches, every check
 * is well-formed. A bad manifest changes nothing on the host.
 */
import { createHash } from 'node:crypto';
import { PatchwiseError, type JobManifest, type PackageVersion } from '@patchwise/core';
import { verifyApprovedScript } from './approved-script.js';
import { validateHealthCheck } from './health-check.js';
import type { PackageDriver } from './package-driver.js';

const ACTIONS = new Set(['install', 'rollback']);
const REBOOT_POLICIES = new Set(['never', 'if-required', 'always']);

/** Throws PatchwiseError (PW_INPUT_INVALID) naming what is wrong. */
export function validateManifest(manifest: JobManifest, driver: PackageDriver): void {
  const input = `job ${String(manifest?.jobId)}`;
  if (manifest?.v !== 1) throw new PatchwiseError('PW_INPUT_INVALID', 'unsupported manifest version (expected v: 1)', { input });
  if (typeof manifest.idempotencyKey !== 'string' || manifest.idempotencyKey === '') {
    throw new PatchwiseError('PW_INPUT_INVALID', 'idempotencyKey must be a non-empty string', { input });
  }
  if (manifest.manager !== driver.kind) {
    throw new PatchwiseError('PW_INPUT_INVALID', `the manifest is for ${String(manifest.manager)}, this host's driver is ${driver.kind}`, { input });
  }
  if (!ACTIONS.has(manifest.action)) throw new PatchwiseError('PW_INPUT_INVALID', `unknown action ${JSON.stringify(manifest.action)}`, { input });
  if (!REBOOT_POLICIES.has(manifest.reboot)) throw new PatchwiseError('PW_INPUT_INVALID', `unknown reboot policy ${JSON.stringify(manifest.reboot)}`, { input });
  const targets: readonly PackageVersion[] = manifest.targets;
  // The manifest is parsed JSON: `targets` may be anything. (A helper, because Array.isArray
  // would narrow the type to any[].)
  if (!isList(targets) || targets.length === 0) throw new PatchwiseError('PW_INPUT_INVALID', 'a job needs at least one target', { input });
  driver.validate(targets);
  if (manifest.action === 'install') {
    const absent = targets.find((t) => t.version === null);
    if (absent) throw new PatchwiseError('PW_INPUT_INVALID', 'an install target needs a version (null only means "remove" in a rollback)', { input: JSON.stringify(absent.name) });
  }
  for (const script of [...manifest.preSteps, ...manifest.postSteps]) verifyApprovedScript(script);
  for (const check of [...manifest.preChecks, ...manifest.postChecks]) validateHealthCheck(check);
  if (Number.isNaN(Date.parse(manifest.expiresAt))) throw new PatchwiseError('PW_INPUT_INVALID', 'expiresAt is not an ISO 8601 instant', { input });
}

/** SHA-256 of the manifest as JSON with sorted keys, so the same job hashes the same however it was built. */
export function manifestDigest(manifest: JobManifest): string {
  return createHash('sha256').update(sortedJson(manifest)).digest('hex');
}

function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function isList(value: unknown): boolean {
  return Array.isArray(value);
}
