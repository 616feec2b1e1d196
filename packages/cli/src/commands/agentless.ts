/**
 * `patchwise agentless …`: hosts the server reaches over SSH instead of through an agent
 * (docs/agentless.md). Everything but `host-key` goes through the admin API.
 */
import { PatchwiseError, attributePairsToObject, countNoun } from '@patchwise/core';
import type { ApiClient } from '../api-client.js';
import { textTable } from '../output/index.js';

type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

interface AgentlessHostView {
  id: string;
  name: string;
  address: string;
  port: number;
  user: string;
  hostKeySha256: string;
  connectivity: string;
  status: string;
  lastScanAt: string | null;
  lastScanCode: string | null;
  lastScanError: string | null;
  /** Absent from servers older than the field. */
  lastScanWarnings?: string[];
  inventoryAt: string | null;
}

interface ScanReply {
  hostId: string;
  stored: boolean;
  packages: number;
  changes: { opened: number; updated: number; fixed: number; retracted?: number } | null;
  open: Record<'P1' | 'P2' | 'P3' | 'P4', number> | null;
  warnings: string[];
  commands: number;
  durationMs: number;
}

export interface AgentlessAddOptions {
  readonly address: string;
  readonly port?: string;
  readonly user: string;
  readonly hostKey: string;
  readonly attr: string[];
  readonly json?: boolean;
}

/** Registers a host; prints its id (details on stderr, or all as JSON). */
export async function agentlessAdd(api: ApiClient, name: string, opts: AgentlessAddOptions, io: Io): Promise<number> {
  const port = opts.port === undefined ? undefined : Number(opts.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) throw new PatchwiseError('PW_USAGE', `--port ${opts.port}: expected a port number 1-65535`);
  const body: Record<string, unknown> = { name, address: opts.address, user: opts.user, hostKeySha256: opts.hostKey };
  if (port !== undefined) body.port = port;
  if (opts.attr.length > 0) body.attributes = attributePairsToObject(opts.attr);
  const host = await api.post<AgentlessHostView>('/api/v1/agentless/hosts', body);
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(host, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(`${host.id}\n`);
  io.stderr.write(`registered ${host.name}: ${host.user}@${host.address} port ${host.port}, host key ${host.hostKeySha256} pinned; scan it with: patchwise agentless scan ${host.name}\n`);
  return 0;
}

export async function agentlessList(api: ApiClient, opts: { json?: boolean }, io: Io): Promise<number> {
  const { hosts } = await api.get<{ hosts: AgentlessHostView[] }>('/api/v1/agentless/hosts');
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(hosts, null, 2)}\n`);
    return 0;
  }
  const rows = hosts.map((h) => [
    h.name,
    `${h.user}@${h.address.includes(':') ? `[${h.address}]` : h.address}:${h.port}`,
    h.status === 'quarantined' ? 'QUARANTINED' : h.connectivity,
    h.lastScanAt === null ? 'never' : h.lastScanCode === null ? `ok ${h.lastScanAt}` : `${h.lastScanCode} ${h.lastScanAt}`,
    h.hostKeySha256,
    h.id,
  ]);
  io.stdout.write(textTable(['NAME', 'TARGET', 'STATE', 'LAST SCAN', 'HOST KEY', 'ID'], rows));
  for (const h of hosts) {
    if (h.lastScanError !== null) io.stderr.write(`${h.name}: last scan failed: ${h.lastScanError}\n`);
    for (const w of h.lastScanWarnings ?? []) io.stderr.write(`${h.name}: last scan warning: ${w}\n`);
  }
  return 0;
}

export async function agentlessRemove(api: ApiClient, idOrName: string, io: Io): Promise<number> {
  const id = await resolveAgentless(api, idOrName);
  await api.delete(`/api/v1/agentless/hosts/${id}`);
  io.stderr.write(`no longer reaching ${idOrName} over SSH; the host and its history stay (patchwise hosts show ${id})\n`);
  return 0;
}

/** Scans one host now; exit 0 when its inventory was stored, 1 when a database could not be read. */
export async function agentlessScan(api: ApiClient, idOrName: string, opts: { json?: boolean }, io: Io): Promise<number> {
  const reply = await api.post<ScanReply>(`/api/v1/agentless/hosts/${await resolveAgentless(api, idOrName)}/scan`, {});
  if (opts.json) io.stdout.write(`${JSON.stringify(reply, null, 2)}\n`);
  for (const w of reply.warnings) io.stderr.write(`warning: ${w}\n`);
  if (!reply.stored) {
    io.stderr.write(`${idOrName}: inventory NOT stored (a package database could not be read; see the warnings)\n`);
    return 1;
  }
  if (!opts.json) {
    const c = reply.changes ?? { opened: 0, updated: 0, fixed: 0 };
    const o = reply.open ?? { P1: 0, P2: 0, P3: 0, P4: 0 };
    io.stdout.write(`${idOrName}: ${countNoun(reply.packages, 'package')} (${countNoun(reply.commands, 'command')}, ${reply.durationMs} ms); findings ${c.opened} opened, ${c.fixed} fixed${c.retracted ? `, ${c.retracted} retracted` : ''}; open P1 ${o.P1} P2 ${o.P2} P3 ${o.P3} P4 ${o.P4}\n`);
  }
  return 0;
}

export async function agentlessPublicKey(api: ApiClient, io: Io): Promise<number> {
  const { publicKey } = await api.get<{ publicKey: string }>('/api/v1/agentless/public-key');
  io.stdout.write(`${publicKey}\n`);
  return 0;
}

/**
 * Prints the fingerprint of the host key `address` presents to this machine. Only as good as the
 * network path: compare it with `ssh-keygen -lf` on the host before pinning it.
 */
export async function agentlessHostKey(address: string, opts: { port?: string }, io: Io): Promise<number> {
  const port = opts.port === undefined ? 22 : Number(opts.port);
  if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) throw new PatchwiseError('PW_USAGE', `--port ${opts.port}: expected a port number 1-65535`);
  const { fetchHostKey } = await import('@patchwise/agent');
  io.stdout.write(`${await fetchHostKey(address, port)}\n`);
  io.stderr.write(
    'this is what the network answered, not proof of the host: compare it with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` run on the host itself before pinning it (pinning it unchecked is trust on first use)\n',
  );
  return 0;
}

/** An agentless host by id, or by name when exactly one has it. */
async function resolveAgentless(api: ApiClient, idOrName: string): Promise<string> {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(idOrName)) return idOrName;
  const { hosts } = await api.get<{ hosts: AgentlessHostView[] }>('/api/v1/agentless/hosts');
  const named = hosts.filter((h) => h.name === idOrName);
  if (named.length === 0) throw new PatchwiseError('PW_NOT_FOUND', `no agentless host named ${idOrName}`);
  if (named.length > 1) throw new PatchwiseError('PW_CONFLICT', `several agentless hosts are named ${idOrName}; use the id`);
  return (named[0] as AgentlessHostView).id;
}
