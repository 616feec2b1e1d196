import { createHash } from 'node:crypto';
import { PatchwiseError } from '../errors/index.js';
import type { ApprovalStatement, ApprovedScript, ApprovedTarget, ApproverSignature, HealthCheck, JobAction, JobManifest, PackageManagerKind, PackageVersion, RebootPolicy } from './job-manifest.js';

/**
 * The longest a manifest may be valid. A manifest is signed when its job is dispatched, not when
 * its deployment is planned, so a week is generous; the bound also caps how long an agent must
 * remember the job ids it accepted (its replay guard keeps each until the manifest expires).
 */
export const MAX_MANIFEST_LIFETIME_MS = 7 * 86_400_000;

// `satisfies Record<Union, true>`: when the contract gains a package manager, action, reboot
// policy or check kind, this file stops compiling until the validator knows it too.
const MANAGERS = { apt: true, dnf: true, yum: true, zypper: true, apk: true } as const satisfies Record<PackageManagerKind, true>;
const ACTIONS = { install: true, rollback: true } as const satisfies Record<JobAction, true>;
const REBOOTS = { never: true, 'if-required': true, always: true } as const satisfies Record<RebootPolicy, true>;
const CHECK_KINDS = { service: true, http: true, script: true } as const satisfies Record<HealthCheck['kind'], true>;

const MANIFEST_KEYS = ['v', 'jobId', 'idempotencyKey', 'deploymentId', 'hostId', 'action', 'manager', 'targets', 'reboot', 'preSteps', 'postSteps', 'preChecks', 'postChecks', 'issuedAt', 'expiresAt', 'approvedTargets', 'approvals'];
/** More signatures than any approval policy asks for (1–5) means a bug or an attempt to make verification slow. */
const MAX_APPROVALS = 20;
const STATEMENT_KIND: ApprovalStatement['kind'] = 'patchwise-change-approval-v1';
/** Printable ASCII without spaces: ids travel in file names, logs and URLs. */
const ID = /^[\x21-\x7e]{1,200}$/;
/** A package name or version as a package manager takes it: no whitespace or control characters. */
const WORD = /^[^\s\p{Cc}]{1,256}$/u;
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;
const ECOSYSTEM = /^[^\p{Cc}]{1,64}$/u;

/**
 * Checks that a value is a complete, well-typed JobManifest (v1) and returns it typed. Unknown
 * fields are refused rather than ignored: a field this executor does not understand may change
 * what the job means, so a newer manifest format must not run on an older agent. Errors are
 * PW_INPUT_INVALID naming the field (`targets[2].version: …`).
 */
export function parseJobManifest(value: unknown): JobManifest {
  const m = object(value, 'manifest', MANIFEST_KEYS);
  if (m.v !== 1) fail('v', 'must be 1 (the only manifest version)');
  const action = oneOf(m.action, 'action', ACTIONS);
  const issuedAt = instant(m.issuedAt, 'issuedAt');
  const expiresAt = instant(m.expiresAt, 'expiresAt');
  if (expiresAt <= issuedAt) fail('expiresAt', 'must be after issuedAt');
  if (expiresAt - issuedAt > MAX_MANIFEST_LIFETIME_MS) fail('expiresAt', `must be at most ${MAX_MANIFEST_LIFETIME_MS / 86_400_000} days after issuedAt`);
  const deploymentId = m.deploymentId;
  if (typeof deploymentId !== 'number' || !Number.isSafeInteger(deploymentId) || deploymentId < 0) fail('deploymentId', 'must be a non-negative integer');
  if ((m.approvedTargets === undefined) !== (m.approvals === undefined)) fail(m.approvals === undefined ? 'approvals' : 'approvedTargets', 'approvedTargets and approvals come together');
  const approved =
    m.approvals === undefined
      ? {}
      : {
          approvedTargets: array(m.approvedTargets, 'approvedTargets').map((t, i) => approvedTarget(t, `approvedTargets[${i}]`)),
          approvals: approvals(m.approvals),
        };
  return {
    v: 1,
    jobId: pattern(m.jobId, 'jobId', ID, '1–200 printable ASCII characters without spaces'),
    idempotencyKey: pattern(m.idempotencyKey, 'idempotencyKey', ID, '1–200 printable ASCII characters without spaces'),
    deploymentId,
    hostId: pattern(m.hostId, 'hostId', ID, '1–200 printable ASCII characters without spaces'),
    action,
    manager: oneOf(m.manager, 'manager', MANAGERS),
    targets: targets(m.targets, action),
    reboot: oneOf(m.reboot, 'reboot', REBOOTS),
    preSteps: array(m.preSteps, 'preSteps').map((s, i) => script(s, `preSteps[${i}]`)),
    postSteps: array(m.postSteps, 'postSteps').map((s, i) => script(s, `postSteps[${i}]`)),
    preChecks: array(m.preChecks, 'preChecks').map((c, i) => healthCheck(c, `preChecks[${i}]`)),
    postChecks: array(m.postChecks, 'postChecks').map((c, i) => healthCheck(c, `postChecks[${i}]`)),
    issuedAt: m.issuedAt as string,
    expiresAt: m.expiresAt as string,
    ...approved,
  };
}

/**
 * Checks an approver's signature record (keyId, base64 signature, statement) as uploaded or as
 * carried by a manifest; PW_INPUT_INVALID naming the field. The signature itself is checked by
 * whoever holds the key (verifyApproverSignature).
 */
export function parseApproverSignature(value: unknown, at = 'approval'): ApproverSignature {
  const o = object(value, at, ['keyId', 'signature', 'statement']);
  return {
    keyId: pattern(o.keyId, `${at}.keyId`, SHA256_HEX, '64 lowercase hex digits'),
    signature: pattern(o.signature, `${at}.signature`, SIGNATURE, 'a 64-byte Ed25519 signature in base64'),
    statement: parseApprovalStatement(o.statement, `${at}.statement`),
  };
}

/** Checks an approval statement's fields and types; PW_INPUT_INVALID naming the field. */
export function parseApprovalStatement(value: unknown, at = 'statement'): ApprovalStatement {
  const s = object(value, at, ['kind', 'changeId', 'patchSetNumber', 'targetsDigest', 'environment', 'expiresAt']);
  if (s.kind !== STATEMENT_KIND) fail(`${at}.kind`, `must be ${STATEMENT_KIND}`);
  instant(s.expiresAt, `${at}.expiresAt`);
  return {
    kind: STATEMENT_KIND,
    changeId: pattern(s.changeId, `${at}.changeId`, ID, '1–200 printable ASCII characters without spaces'),
    patchSetNumber: integer(s.patchSetNumber, `${at}.patchSetNumber`, 1, Number.MAX_SAFE_INTEGER),
    targetsDigest: pattern(s.targetsDigest, `${at}.targetsDigest`, SHA256_HEX, '64 lowercase hex digits'),
    environment: pattern(s.environment, `${at}.environment`, ID, '1–200 printable ASCII characters without spaces'),
    expiresAt: s.expiresAt as string,
  };
}

function approvals(value: unknown): ApproverSignature[] {
  const list = array(value, 'approvals');
  if (list.length > MAX_APPROVALS) fail('approvals', `at most ${MAX_APPROVALS} signatures`);
  return list.map((a, i) => parseApproverSignature(a, `approvals[${i}]`));
}

function approvedTarget(value: unknown, at: string): ApprovedTarget {
  const o = object(value, at, ['ecosystem', 'package', 'version']);
  return {
    ecosystem: pattern(o.ecosystem, `${at}.ecosystem`, ECOSYSTEM, 'an ecosystem name (1–64 characters)'),
    package: pattern(o.package, `${at}.package`, WORD, 'a package name without whitespace or control characters (1–256)'),
    version: pattern(o.version, `${at}.version`, WORD, 'a version without whitespace or control characters (1–256)'),
  };
}

function targets(value: unknown, action: JobAction): PackageVersion[] {
  const list = array(value, 'targets');
  if (list.length === 0) fail('targets', 'must name at least one package');
  const names = new Set<string>();
  return list.map((t, i) => {
    const at = `targets[${i}]`;
    const o = object(t, at, ['name', 'version']);
    const name = pattern(o.name, `${at}.name`, WORD, 'a package name without whitespace or control characters (1–256)');
    // A leading dash would read as an option to the package manager.
    if (name.startsWith('-')) fail(`${at}.name`, 'must not start with "-"');
    if (names.has(name)) fail(`${at}.name`, `${name} is listed twice`);
    names.add(name);
    // null means "was not installed before": only a rollback can ask for that (remove it).
    if (o.version === null && action === 'rollback') return { name, version: null };
    const version = pattern(o.version, `${at}.version`, WORD, action === 'rollback' ? 'a version, or null (remove)' : 'a version without whitespace or control characters (1–256)');
    return { name, version };
  });
}

function script(value: unknown, at: string): ApprovedScript {
  const o = object(value, at, ['name', 'sha256', 'body']);
  const name = pattern(o.name, `${at}.name`, WORD, 'a script name without whitespace (1–256)');
  const sha256 = pattern(o.sha256, `${at}.sha256`, SHA256_HEX, '64 lowercase hex digits');
  if (typeof o.body !== 'string') fail(`${at}.body`, 'must be a string');
  // The signature covers body and digest alike; a mismatch is a bug of whoever built the manifest.
  if (createHash('sha256').update(o.body, 'utf8').digest('hex') !== sha256) fail(`${at}.sha256`, 'is not the SHA-256 of the body');
  return { name, sha256, body: o.body };
}

function healthCheck(value: unknown, at: string): HealthCheck {
  const kind = oneOf(object(value, at).kind, `${at}.kind`, CHECK_KINDS);
  switch (kind) {
    case 'service': {
      const o = object(value, at, ['kind', 'unit']);
      return { kind, unit: pattern(o.unit, `${at}.unit`, WORD, 'a service name without whitespace (1–256)') };
    }
    case 'http': {
      const o = object(value, at, ['kind', 'url', 'expectStatus', 'timeoutMs']);
      if (typeof o.url !== 'string' || !/^https?:$/.test(safeUrl(o.url)?.protocol ?? '')) fail(`${at}.url`, 'must be an http or https URL');
      const check: { kind: 'http'; url: string; expectStatus?: number; timeoutMs?: number } = { kind, url: o.url };
      if (o.expectStatus !== undefined) check.expectStatus = integer(o.expectStatus, `${at}.expectStatus`, 100, 599);
      if (o.timeoutMs !== undefined) check.timeoutMs = integer(o.timeoutMs, `${at}.timeoutMs`, 1, 3_600_000);
      return check;
    }
    case 'script': {
      const o = object(value, at, ['kind', 'script']);
      return { kind, script: script(o.script, `${at}.script`) };
    }
  }
}

function object(value: unknown, at: string, keys?: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(at, 'must be an object');
  const o = value as Record<string, unknown>;
  if (keys) {
    const unknown = Object.keys(o).find((k) => !keys.includes(k));
    if (unknown !== undefined) fail(at, `has an unknown field "${unknown}"`);
  }
  return o;
}

function array(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) fail(at, 'must be an array');
  return value as unknown[];
}

function pattern(value: unknown, at: string, re: RegExp, what: string): string {
  if (typeof value !== 'string' || !re.test(value)) fail(at, `must be ${what}`);
  return value;
}

function oneOf<T extends string>(value: unknown, at: string, allowed: Readonly<Record<T, true>>): T {
  if (typeof value !== 'string' || !Object.hasOwn(allowed, value)) fail(at, `must be one of ${Object.keys(allowed).join(', ')}`);
  return value as T;
}

function integer(value: unknown, at: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(at, `must be an integer from ${min} to ${max}`);
  return value;
}

/** Milliseconds since the epoch of an ISO 8601 instant with a date, a time to the second and an offset. */
function instant(value: unknown, at: string): number {
  const m = typeof value === 'string' ? ISO_INSTANT.exec(value) : null;
  const ms = m ? Date.parse(value as string) : NaN;
  // Date.parse rolls 2026-02-30 over to March 2; a signed date must mean what it says.
  const [year, month, day, hour] = (m?.slice(1, 5) ?? []).map(Number);
  const real = year !== undefined && month !== undefined && day !== undefined && hour !== undefined && hour < 24 && new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
  if (!m || !Number.isFinite(ms) || !real) fail(at, 'must be an ISO 8601 date and time with an offset, e.g. 2026-11-22T10:00:00.000Z');
  return ms;
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function fail(at: string, message: string): never {
  throw new PatchwiseError('PW_INPUT_INVALID', `${at}: ${message}`);
}
