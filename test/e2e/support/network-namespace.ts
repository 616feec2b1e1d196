/**
 * A test host's network: a namespace of its own joined to this one by a veth pair on a /30
 * (this side .1, the host's side .2), so a process started in it reaches the server only over
 * that link, as a separate machine would. dispose() deletes the namespace (and the pair with it).
 */
import { randomBytes } from 'node:crypto';
import { exec } from './exec-file.js';

export interface NetworkNamespace {
  readonly name: string;
  /** The address of this side of the link: where a server listening on 0.0.0.0 is reached from the namespace. */
  readonly gateway: string;
  /** argv prefix that runs a program inside the namespace. */
  readonly prefix: readonly string[];
  dispose(): Promise<void>;
}

let subnet = 0;

/** A namespace with one veth link to this one; `index` keeps the /30s of one test apart. */
export async function networkNamespace(): Promise<NetworkNamespace> {
  const id = randomBytes(3).toString('hex');
  const name = `pw-${id}`;
  const n = subnet++ % 16_000;
  const base = `10.${200 + Math.floor(n / 4000)}.${Math.floor((n % 4000) / 16)}.${(n % 16) * 16}`;
  const [a, b, c, d] = base.split('.').map(Number) as [number, number, number, number];
  const gateway = `${a}.${b}.${c}.${d + 1}`;
  const inside = `${a}.${b}.${c}.${d + 2}`;
  const outer = `pwa${id}`;
  const inner = `pwb${id}`;
  await exec('ip', ['netns', 'add', name]);
  try {
    await exec('ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner]);
    await exec('ip', ['link', 'set', inner, 'netns', name]);
    await exec('ip', ['addr', 'add', `${gateway}/30`, 'dev', outer]);
    await exec('ip', ['link', 'set', outer, 'up']);
    await exec('ip', ['netns', 'exec', name, 'ip', 'addr', 'add', `${inside}/30`, 'dev', inner]);
    await exec('ip', ['netns', 'exec', name, 'ip', 'link', 'set', inner, 'up']);
    await exec('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
  } catch (err) {
    await exec('ip', ['netns', 'del', name]).catch(() => undefined);
    throw err;
  }
  let disposed: Promise<void> | undefined;
  return {
    name,
    gateway,
    prefix: ['ip', 'netns', 'exec', name],
    dispose: () => (disposed ??= exec('ip', ['netns', 'del', name]).then(() => undefined, () => undefined)),
  };
}
