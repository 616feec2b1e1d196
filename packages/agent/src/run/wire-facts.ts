import type { HostFacts } from '../collect/index.js';

/** Facts as the server's API takes them (AgentFactsSchema in @patchwise/server). */
export interface WireFacts {
  readonly hostname: string;
  readonly machineId: string | null;
  readonly os: { readonly id: string; readonly versionId: string | null; readonly prettyName: string | null; readonly versionCodename: string | null } | null;
  readonly kernel: string | null;
  readonly arch: string | null;
  readonly uptimeSeconds: number | null;
  readonly ips: readonly string[] | null;
  readonly rebootRequired: boolean | null;
  readonly timezone: string | null;
  readonly serial: string | null;
  readonly agentVersion: string;
}

export function toWireFacts(facts: HostFacts, hostName: string, agentVersion: string): WireFacts {
  return {
    hostname: hostName,
    machineId: facts.machineId,
    os: facts.os ? { id: facts.os.id, versionId: facts.os.versionId, prettyName: facts.os.prettyName, versionCodename: facts.os.versionCodename } : null,
    kernel: facts.kernelRelease,
    arch: facts.architecture,
    uptimeSeconds: facts.uptimeSeconds === null ? null : Math.floor(facts.uptimeSeconds),
    ips: facts.ipAddresses ? facts.ipAddresses.slice(0, 256) : null,
    rebootRequired: facts.rebootRequired,
    timezone: facts.timezone,
    serial: facts.serialNumber,
    agentVersion,
  };
}
