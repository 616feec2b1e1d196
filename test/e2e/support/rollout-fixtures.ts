/**
 * Driving deployments through the real API as people would: a patch set of exact targets, a
 * change request approved by a second person, the deployment created and started, its status.
 */
import { expect } from 'vitest';
import type { ApiReply, E2eServer as FullServer } from './e2e-server.js';

/** What the fixtures need of a server: the admin API, and the API as another person. */
type E2eServer = Pick<FullServer, 'api' | 'apiAs'>;

export interface DeploymentStatus {
  readonly deployment: { readonly id: number; readonly state: string; readonly stateReason: string | null; readonly currentWave: number };
  readonly waves: readonly { readonly install: Record<string, number>; readonly rollback: Record<string, number> }[];
  readonly waiting: Record<string, number>;
}

export interface JobRow {
  readonly id: string;
  readonly hostName: string;
  readonly action: string;
  readonly wave: number;
  readonly state: string;
  readonly stateReason: string | null;
}

function ok<T>(reply: ApiReply<T>, status: number, what: string): T {
  expect(reply.status, `${what}: ${JSON.stringify(reply.body)}`).toBe(status);
  return reply.body;
}

/** A patch set of exact Debian 12 targets; returns its number. */
export async function debianPatchSet(server: E2eServer, targets: Record<string, string>): Promise<number> {
  const body = { name: Object.keys(targets).join(' '), targets: Object.entries(targets).map(([name, version]) => ({ ecosystem: 'Debian:12', package: name, version })) };
  return ok(await server.api<{ number: number }>('POST', '/api/v1/patch-sets', body), 201, 'patch set').number;
}

const approverTokens = new WeakMap<E2eServer, string>();

/** The API token of `approver`, a person other than the admin holding the approver role (made on first use). */
export async function approverToken(server: E2eServer): Promise<string> {
  let token = approverTokens.get(server);
  if (!token) {
    ok(await server.api('POST', '/api/v1/users', { name: 'approver', roles: [{ role: 'approver' }] }), 201, 'approver');
    token = ok(await server.api<{ token: string }>('POST', '/api/v1/tokens', { name: 'approver laptop', user: 'approver' }), 201, 'token').token;
    approverTokens.set(server, token);
  }
  return token;
}

/** A change for the patch set to the environment, requested by the admin and approved by another person. */
export async function approvedChange(server: E2eServer, patchSet: number, environment: string): Promise<string> {
  const token = await approverToken(server);
  const change = ok(await server.api<{ id: string }>('POST', '/api/v1/changes', { kind: 'deployment', environment, patchSet, title: `patch set ${patchSet}`, reason: 'end-to-end test' }), 201, 'change');
  ok(await server.apiAs(token, 'POST', `/api/v1/changes/${change.id}/approve`, {}), 200, 'approval');
  return change.id;
}

/** Creates and starts a deployment (with an approved change); returns its id. */
export async function startDeployment(server: E2eServer, body: Record<string, unknown> & { patchSet: number; environment: string }): Promise<number> {
  const changeId = await approvedChange(server, body.patchSet, body.environment);
  const d = ok(await server.api<{ id: number }>('POST', '/api/v1/deployments', { name: 'e2e', ...body, changeId }), 201, 'deployment');
  ok(await server.api('POST', `/api/v1/deployments/${d.id}/start`, {}), 200, 'start');
  return d.id;
}

export async function deploymentStatus(server: E2eServer, id: number): Promise<DeploymentStatus> {
  return ok(await server.api<DeploymentStatus>('GET', `/api/v1/deployments/${id}`), 200, 'status');
}

export async function deploymentJobs(server: E2eServer, id: number): Promise<JobRow[]> {
  return ok(await server.api<{ jobs: JobRow[] }>('GET', `/api/v1/deployments/${id}/jobs`), 200, 'jobs').jobs;
}

/** Waits (polling every `intervalMs`, never a fixed sleep) until `check` holds, failing after `timeoutMs` with the last value seen. */
export async function waitFor<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 60_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!check(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
    last = await read();
  }
  return last;
}
