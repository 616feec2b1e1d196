/**
 * Executing on hosts: the CommandRunner contract job executors run programs through, and its
 * SSH implementation for agentless hosts (with host key pinning and the server's client key).
 */
export type { CommandRunOptions, CommandRunner } from './command-runner.js';
export { DEFAULT_MAX_OUTPUT_BYTES, SshRunner } from './ssh-runner.js';
export type { SshConnectOptions, SshTimeouts } from './ssh-runner.js';
export { HOST_KEY_ALGORITHMS, fetchHostKey, sshFingerprint } from './fetch-host-key.js';
export type { FetchHostKeyOptions } from './fetch-host-key.js';
export { generateSshClientKey, sshPublicKeyOf } from './ssh-client-key.js';
export type { SshClientKey } from './ssh-client-key.js';
export { quoteShellWord, remoteCommandLine } from './remote-command-line.js';
export { OutputTail } from './output-tail.js';
