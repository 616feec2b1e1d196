/**
 * A test host with its own agent process: an overlay clone of the Debian tree (with the local apt
 * repository) and a network namespace in which `patchwise agent run --root CLONE` runs, reaching
 * the server over a veth link only. The agent can be frozen with SIGSTOP and thawed with SIGCONT
 * (its sockets stay open, the commands it started run on), so a test can hold it at a point.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloneHost, type HostClone } from './host-clone.js';
import { networkNamespace, type NetworkNamespace } from './network-namespace.js';
import { PATCHWISE_BIN, type ServerProcess } from './server-process.js';

export interface AgentHost {
  readonly name: string;
  readonly clone: HostClone;
  /** The agent's `--state` directory (identity, journal, outbox). */
  readonly stateDir: string;
  /** Everything the agent printed, in order. */
  readonly log: string[];
  /** SIGSTOP: the agent stops where it is; nothing it has not sent yet reaches the server. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** Kills the agent and removes the namespace, the clone and the agent's state. */
  dispose(): Promise<void>;
}

/** A host named `name` on the prepared `layer`, its agent enrolled with `attributes` and looping. */
export async function startAgentHost(server: ServerProcess, layer: string, name: string, attributes: Readonly<Record<string, string>>): Promise<AgentHost> {
  const clone = await cloneHost(name, { layers: [layer] });
  let net: NetworkNamespace | undefined;
  const state = mkdtempSync(join(tmpdir(), `pw-agent-${name}-`));
  let agent: ChildProcess | undefined;
  const dispose = async () => {
    if (agent && agent.exitCode === null && agent.signalCode === null) {
      const exited = new Promise((r) => agent!.once('exit', r));
      agent.kill('SIGKILL'); // a stopped process dies of SIGKILL too
      await exited;
    }
    await net?.dispose();
    await clone.dispose();
    rmSync(state, { recursive: true, force: true });
  };
  try {
    net = await networkNamespace();
    const token = (await server.api<{ token: string }>('POST', '/api/v1/enroll-tokens', {})).body.token;
    const attrs = Object.entries(attributes).flatMap(([k, v]) => ['--attr', `${k}=${v}`]);
    // `ip netns exec` execs the program in place, so the child's pid is the agent's own.
    const argv = [...net.prefix, process.execPath, PATCHWISE_BIN, 'agent', 'run', '--server', `http://${net.gateway}:${server.port}`, '--enroll-token', token, '--state', state, '--root', clone.root, '--hostname', name, ...attrs];
    const log: string[] = [];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (b: Buffer) => log.push(b.toString()));
    child.stderr.on('data', (b: Buffer) => log.push(b.toString()));
    agent = child;
    return {
      name,
      clone,
      stateDir: state,
      log,
      pause: () => void child.kill('SIGSTOP'),
      resume: () => void child.kill('SIGCONT'),
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}
