/**
 * Scripts of the approved library (pre- and post-steps, script health checks). This is the one
 * place a job runs a shell: a script IS shell code, written and reviewed in the server's library,
 * carried in the manifest with its SHA-256 and covered by the manifest's signature. Before it
 * runs, its body is hashed again here, so only the exact reviewed text can run. It is passed as
 * one argument (`/bin/sh -c BODY NAME`): nothing from a package name or a version is ever pasted
 * into it, and NAME becomes `$0` (so the script's own error messages name it).
 */
import { createHash } from 'node:crypto';
import { PatchwiseError, type ApprovedScript } from '@patchwise/core';

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** A name is `$0` and appears in records: a short plain word, not something a reader could mistake for an option. */
const SCRIPT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Throws PW_INPUT_INVALID when the name is malformed or the body's SHA-256 is not the manifest's. */
export function verifyApprovedScript(script: ApprovedScript): void {
  if (typeof script?.name !== 'string' || !SCRIPT_NAME.test(script.name)) {
    throw new PatchwiseError('PW_INPUT_INVALID', 'approved script name must be letters, digits and . _ - (at most 128)', { input: JSON.stringify(script?.name) });
  }
  if (typeof script.sha256 !== 'string' || !SHA256_HEX.test(script.sha256)) {
    throw new PatchwiseError('PW_INPUT_INVALID', 'sha256 must be 64 lower-case hex digits', { input: script.name });
  }
  if (typeof script.body !== 'string' || script.body.includes('\0')) {
    throw new PatchwiseError('PW_INPUT_INVALID', 'body must be text without NUL bytes', { input: script.name });
  }
  const actual = sha256Hex(script.body);
  if (actual !== script.sha256) {
    throw new PatchwiseError('PW_INPUT_INVALID', `body SHA-256 is ${actual}, the manifest says ${script.sha256}: refusing to run it`, { input: script.name });
  }
}

/** The argv that runs a verified script. */
export function approvedScriptArgv(script: ApprovedScript): string[] {
  verifyApprovedScript(script);
  return ['/bin/sh', '-c', script.body, script.name];
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
