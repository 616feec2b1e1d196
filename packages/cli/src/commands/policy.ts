import { countNoun } from '@patchwise/core';
import { closeSync, writeFileSync } from 'node:fs';
import { openOutputFile } from '../open-output-file.js';
import { stringify } from 'yaml';
import type { ApiClient } from '../api-client.js';
import { readDocumentFile } from '../read-document-file.js';

type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

interface PlanView {
  applied: boolean;
  changes: { kind: string; name: string; action: 'create' | 'update' | 'delete'; fields: string[] }[];
}

const HEADER = '# Patchwise policy: groups, baselines, approval policies, custom roles, maintenance windows, freezes, SLA.\n# A section here is the whole truth about its kind; leave one out to leave it alone.\n# Apply with: patchwise policy apply FILE [--dry-run]\n';

/** Writes the server's policy as YAML (to a file or stdout). */
export async function policyExport(api: ApiClient, opts: { output?: string }, io: Io): Promise<number> {
  if (opts.output !== undefined) {
    // Opened first: a path that cannot be written is said before the server is asked.
    const fd = openOutputFile(opts.output);
    try {
      writeFileSync(fd, await policyText(api));
    } finally {
      closeSync(fd);
    }
    io.stderr.write(`policy written to ${opts.output}\n`);
  } else io.stdout.write(await policyText(api));
  return 0;
}

async function policyText(api: ApiClient): Promise<string> {
  const doc = await api.get<Record<string, unknown>>('/api/v1/policy');
  return HEADER + stringify(doc, { lineWidth: 0 });
}

/** Shows the plan (+ create, ~ update with the fields, - delete) and applies it unless --dry-run. */
export async function policyApply(api: ApiClient, file: string, opts: { dryRun?: boolean }, io: Io): Promise<number> {
  const document = readDocumentFile(file, 'policy document (version, groups, baselines, approvalPolicies, roles, windows, freezes, sla)');
  const plan = await api.post<PlanView>('/api/v1/policy/apply', { document, dryRun: opts.dryRun === true });
  const sign = { create: '+', update: '~', delete: '-' } as const;
  for (const c of plan.changes) io.stdout.write(`${sign[c.action]} ${c.kind} ${c.name}${c.fields.length ? ` (${c.fields.join(', ')})` : ''}\n`);
  const n = plan.changes.length;
  io.stdout.write(n === 0 ? 'no changes: the server already holds this policy\n' : `${countNoun(n, 'change')} ${plan.applied ? 'applied' : 'planned (dry run: nothing applied)'}\n`);
  return 0;
}
