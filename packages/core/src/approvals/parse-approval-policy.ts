import { PatchwiseError } from '../errors/index.js';
import type { ApprovalPolicy } from './change-request.js';

const NAME = /^(\*|[A-Za-z0-9][A-Za-z0-9._-]{0,63})$/;
const FIELDS = new Set(['environment', 'approvals', 'approverRoles', 'validForHours']);

/** An approval policy from JSON or YAML, every field checked and named when wrong. */
export function parseApprovalPolicy(value: unknown, label: string): ApprovalPolicy {
  const bad = (field: string, why: string) => new PatchwiseError('PW_INPUT_INVALID', `${label}.${field}: ${why}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PatchwiseError('PW_INPUT_INVALID', `${label}: an object is required`);
  const o = value as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !FIELDS.has(k));
  if (unknown.length) throw bad(unknown[0]!, `unknown field (known: ${[...FIELDS].join(', ')})`);
  const { environment, approvals, approverRoles, validForHours } = o;
  if (typeof environment !== 'string' || !NAME.test(environment)) throw bad('environment', 'an environment name, or * for every other environment');
  if (typeof approvals !== 'number' || !Number.isInteger(approvals) || approvals < 1 || approvals > 5) throw bad('approvals', 'a whole number from 1 to 5');
  const roles = approverRoles ?? ['approver', 'admin'];
  if (!Array.isArray(roles) || roles.length === 0 || roles.some((r) => typeof r !== 'string' || !NAME.test(r) || r === '*')) throw bad('approverRoles', 'a non-empty list of role names');
  const hours = validForHours ?? 72;
  if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < 1 || hours > 24 * 30) throw bad('validForHours', 'a whole number of hours from 1 to 720');
  return { environment, approvals, approverRoles: [...new Set(roles as string[])], validForHours: hours };
}
