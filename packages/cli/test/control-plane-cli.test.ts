/**
 * The operator's commands against a real server, each through the real `patchwise` binary:
 * the server runs as its own process (PGlite), an agent enrolls a fake Debian root with
 * `agent run --once`, and enroll-token, feeds, hosts, findings and cmdb talk to the admin API
 * with the token the server left in its data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKeyOf } from '@patchwise/core';
import { BIN, REPO, runCliAsync } from './run-cli.js';

const MACHINE_ID = '5f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5';
const CVE = 'CVE-2026-0001';

let work: string;
let data: string;
let server: ChildProcess | undefined;
let feedHost: Server;

function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

/** A Debian 12 root whose dpkg database has libssl3 built from openssl 3.0.11-1~deb12u2. */
function debianRoot(): string {
  const root = join(work, 'root');
  writeTree(root, {
    'etc/os-release': 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_CODENAME=bookworm\n',
    'etc/hostname': 'pay-api-1\n',
    'etc/machine-id': `${MACHINE_ID}\n`,
    'var/lib/dpkg/status':
      'Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u2\n\n' +
      'Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n\n',
  });
  return root;
}

/** A Debian security record for openssl, fixed in a version above the installed one; `revision` changes it (a later `modified`, `withdrawn`). */
function writeAdvisory(revision: { modified?: string; withdrawn?: string } = {}): string {
  const file = join(work, revision.modified ? `DSA-9001-1-${revision.modified.slice(0, 10)}.json` : 'DSA-9001-1.json');
  const record = {
    schema_version: '1.6.0',
    id: 'DSA-9001-1',
    modified: '2026-11-30T00:00:00Z',
    published: '2026-11-30T00:00:00Z',
    aliases: [CVE],
    summary: 'openssl security update',
    affected: [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.15-1~deb12u1' }] }] }],
    ...revision,
  };
  writeFileSync(file, JSON.stringify(record));
  return file;
}

/** What the feed host serves as the KEV catalog: empty until the test adds the CVE. */
let kevServed: string;
// Each list is a new release (a later dateReleased): the server keeps out a catalog of the
// edition it holds with other content, as it would an excerpt.
const kevCatalog = (cves: string[]) => JSON.stringify({
  title: 'CISA Catalog of Known Exploited Vulnerabilities',
  catalogVersion: '2026.12.01',
  dateReleased: `2026-12-01T15:00:${String(cves.length).padStart(2, '0')}.000Z`,
  count: cves.length,
  vulnerabilities: cves.map((cveID) => ({
      cveID,
      vendorProject: 'OpenSSL',
      product: 'OpenSSL',
      vulnerabilityName: 'OpenSSL test vulnerability',
      dateAdded: '2026-12-01',
      shortDescription: 'Test entry.',
      requiredAction: 'Apply updates.',
      dueDate: '2026-12-22',
      knownRansomwareCampaignUse: 'Known',
      notes: '',
  })),
});

/** Starts `patchwise server` and resolves once it says where it listens. */
function startServer(feedsFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'server', '--data', data, '--listen', '127.0.0.1:0', '--feeds', feedsFile], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let said = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      said += chunk;
      if (said.includes('listening on')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${said}`)));
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'patchwise-cli-cp-'));
  data = join(work, 'data');
  mkdirSync(data);
  // The run's migrated PGlite (vitest globalSetup) saves an initdb; without it the server makes one.
  const template = process.env.PATCHWISE_TEST_PGLITE_TEMPLATE;
  if (template) cpSync(template, join(data, 'pglite'), { recursive: true });
  kevServed = kevCatalog([]);
  feedHost = createServer((req, res) => {
    if (req.url === '/kev.json') res.writeHead(200, { 'content-type': 'application/json' }).end(kevServed);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => feedHost.listen(0, '127.0.0.1', resolve));
  const feedsFile = join(work, 'feeds.json');
  const port = (feedHost.address() as AddressInfo).port;
  writeFileSync(
    feedsFile,
    JSON.stringify([
      { name: 'cisa-kev', kind: 'kev', url: `http://127.0.0.1:${port}/kev.json`, interval: '1h' },
      { name: 'gone', kind: 'epss', url: `http://127.0.0.1:${port}/missing.csv`, interval: '1h' },
    ]),
  );
  server = await startServer(feedsFile);
}, 60_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  await new Promise((resolve) => feedHost.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

describe('operator commands against a running server', () => {
  const cli = (...args: string[]) => runCliAsync([...args, '--data', data]);

  it('enrolls an agent, imports advisories, syncs feeds and lists hosts and findings', async () => {
    const token = await cli('enroll-token', 'create', '--uses', '1', '--attr', 'tier=0', '--attr', 'environment=prod');
    expect(token.status, token.stderr).toBe(0);
    const secret = token.stdout.trim();
    expect(secret).toMatch(/^\S{20,}$/);

    const imported = await cli('feeds', 'import', writeAdvisory());
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/1 new, 0 updated, 0 unchanged records; 0 hosts re-assessed/);

    const url = (JSON.parse(readFileSync(join(data, 'server.json'), 'utf8')) as { url: string }).url;
    const agent = await runCliAsync(['agent', 'run', '--once', '--server', url, '--enroll-token', secret, '--state', join(work, 'agent'), '--root', debianRoot()]);
    expect(agent.status, agent.stderr).toBe(0);
    // The agent pinned the job-signing key the server made on first start (docs/job-manifests.md).
    const jobKey = join(data, 'job-signing-key');
    expect(statSync(jobKey).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(work, 'agent', 'identity.json'), 'utf8'))).toMatchObject({ jobSigningKey: publicKeyOf(readFileSync(jobKey, 'utf8')) });

    const hosts = await cli('hosts', 'list', '--json');
    expect(hosts.status, hosts.stderr).toBe(0);
    const listed = JSON.parse(hosts.stdout) as { name: string; machineId: string; ecosystem: string; attributes: { tier: number; environment: string } }[];
    expect(listed).toMatchObject([{ name: 'pay-api-1', machineId: MACHINE_ID, ecosystem: 'Debian:12', attributes: { tier: 0, environment: 'prod' } }]);

    const findings = await cli('findings', 'list', '--host', 'pay-api-1', '--json');
    expect(findings.status, findings.stderr).toBe(0);
    const before = JSON.parse(findings.stdout) as { findings: { advisory: string; package: string; installed: string; fixed: string; kev: boolean }[] };
    expect(before.findings).toMatchObject([{ advisory: 'DSA-9001-1', package: 'openssl', installed: '3.0.11-1~deb12u2', fixed: '3.0.15-1~deb12u1', kev: false }]);

    // The configured KEV source is synced on demand; the missing EPSS file fails, and says so.
    kevServed = kevCatalog([CVE]);
    const synced = await cli('feeds', 'sync', '--force');
    expect(synced.status).toBe(1);
    expect(synced.stdout).toMatch(/cisa-kev\s+imported\s+1 record, 1 host re-assessed/);
    expect(synced.stdout).toMatch(/gone\s+failed\s+.*404/);
    const kev = JSON.parse((await cli('findings', 'list', '--kev', '--json')).stdout) as { findings: { advisory: string; priority: string; reasons: string[] }[] };
    expect(kev.findings).toMatchObject([{ advisory: 'DSA-9001-1', priority: 'P1' }]);
    expect(kev.findings[0]?.reasons.join('; ')).toMatch(/CISA KEV since 2026-12-01, ransomware use known/);

    const compliance = await cli('report', 'compliance');
    expect(compliance.status).toBe(1);
    expect(compliance.stdout).toMatch(/^0 of 1 host compliant \(0\.0 %\); 1 non-compliant, 0 unknown/);
    expect(compliance.stdout).toMatch(/pay-api-1\s+non-compliant\s+built-in\s+open security findings: P1 1/);

    const group = await cli('groups', 'set', 'prod-debian', '--environment', 'prod', '--os', 'debian-12', '--tier', '0', '--tier', '1');
    expect(group.status, group.stderr).toBe(0);
    expect(group.stdout).toMatch(/group prod-debian: tier=0,1 environment=prod os=debian-12/);
    const shownGroup = await cli('groups', 'show', 'prod-debian');
    expect(shownGroup.stdout).toMatch(/prod-debian .*: 1 host\n[\s\S]*pay-api-1\s+debian 12\s+0\s+prod/);
    const badGroup = await cli('groups', 'set', 'prod-debian', '--tier', 'x');
    expect(badGroup.status).toBe(2);
    expect(badGroup.stderr).toBe('patchwise: --tier must be a whole number, not "x"\n');

    const requested = await cli('exceptions', 'request', '--host', 'pay-api-1', '--advisory', CVE, '--category', 'compensating-control', '--reason', 'WAF rule 9001 blocks the exploit', '--owner', 'edge team', '--expires', '14d');
    expect(requested.status, requested.stderr).toBe(0);
    const exceptionId = /^exception (\S+): requested;/.exec(requested.stdout)?.[1] ?? '';
    expect(exceptionId).toMatch(/^[0-9a-f-]{36}$/);
    const selfApproved = await cli('exceptions', 'approve', exceptionId);
    expect(selfApproved.status).toBe(2);
    expect(selfApproved.stderr).toMatch(/requester of an exception cannot approve/);
    expect((await cli('exceptions', 'list', '--state', 'requested')).stdout).toMatch(/requested\s+\S+\s+CVE-2026-0001\s+\*\s+compensating-control\s+edge team/);
    // Another token of the requester is still the requester: the rule is per person.
    const mine = await cli('tokens', 'create', 'my other token', '--expires', '30d');
    expect(mine.status, mine.stderr).toBe(0);
    const asMe = await runCliAsync(['exceptions', 'approve', exceptionId], { ...process.env, PATCHWISE_URL: url, PATCHWISE_TOKEN: mine.stdout.trim() });
    expect(asMe.status).toBe(2);
    expect(asMe.stderr).toMatch(/requester of an exception cannot approve/);
    // A second person (an approver) decides; once their token is revoked, it opens nothing.
    expect((await cli('users', 'create', 'bob')).stdout).toMatch(/^user bob created/);
    expect((await cli('users', 'grant', 'bob', 'approver')).stdout).toMatch(/bob now holds: approver \(all hosts\)/);
    const second = await cli('tokens', 'create', 'second approver', '--expires', '30d', '--user', 'bob');
    expect(second.status, second.stderr).toBe(0);
    const secondToken = second.stdout.trim();
    const asSecond = (...args: string[]) => runCliAsync(args, { ...process.env, PATCHWISE_URL: url, PATCHWISE_TOKEN: secondToken });
    const approved = await asSecond('exceptions', 'approve', exceptionId, '--comment', 'WAF rule reviewed');
    expect(approved.status, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(/approved \(in force\)/);
    expect((await cli('report', 'compliance')).stdout).toMatch(/^1 of 1 host compliant/);
    const secondId = /API token (\S+) \(second approver\)/.exec(second.stderr)?.[1] ?? '';
    expect((await cli('tokens', 'revoke', secondId)).status).toBe(0);
    const refused = await asSecond('hosts', 'list');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/unknown, revoked or expired/);
    const badExpiry = await cli('exceptions', 'request', '--host', 'pay-api-1', '--package', 'openssl', '--category', 'risk-accepted', '--reason', 'r', '--owner', 'o', '--expires', '900d');
    expect(badExpiry.status).toBe(2);
    expect(badExpiry.stderr).toMatch(/expiresAt: is more than 366 days away/);

    const status = await cli('feeds', 'status');
    expect(status.stdout).toMatch(/cisa-kev\s+kev\s+1\s/);

    const set = await cli('hosts', 'set', 'pay-api-1', '--attr', 'owner=payments', '--attr', 'tags=pci,edge');
    expect(set.status, set.stderr).toBe(0);
    const shown = JSON.parse((await cli('hosts', 'show', 'pay-api-1', '--json')).stdout) as { attributes: { owner: string; tags: string[] }; openFindings: Record<string, number> };
    expect(shown.attributes).toMatchObject({ owner: 'payments', tags: ['edge', 'pci'] });
    expect(shown.openFindings.P1).toBe(1);
    const summary = (await cli('hosts', 'show', 'pay-api-1')).stdout;
    expect(summary).toMatch(/^os\s+debian 12 \(Debian:12\)$/m);
    expect(summary).toMatch(/^inventory\s+2 packages at /m);
    expect(summary).toMatch(/^tags\s+edge, pci$/m);
  });

  it('sets, lists, shows and deletes a patch baseline from a YAML file, and findings show its decision and the lane', async () => {
    const file = join(work, 'prod-web.yaml');
    writeFileSync(
      file,
      [
        'group: prod-debian',
        'precedence: 10',
        'description: production web tier',
        'rules:',
        '  - { types: [security], minSeverity: high, afterDays: 0 }',
        '  - { types: [security], afterDays: 30 }',
        'holds:',
        '  - { package: openssl, version: 3.0.11-1~deb12u2, ecosystem: Debian, reason: FIPS build certified on 3.0.11 }',
        '',
      ].join('\n'),
    );
    const set = await cli('baselines', 'set', 'prod-web', file);
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toBe('baseline prod-web: group prod-debian (precedence 10); 2 rules, 0 approved, 0 rejected, 1 hold\n');
    expect((await cli('baselines', 'list')).stdout).toMatch(/prod-web\s+prod-debian\s+10\s+security severity ≥ high at once; security after 30d\s+yes\s+0\s+0\s+1/);
    const shown = await cli('baselines', 'show', 'prod-web');
    expect(shown.stdout).toMatch(/^hold: openssl at 3\.0\.11-1~deb12u2 \(Debian\): FIPS build certified on 3\.0\.11$/m);
    expect(shown.stdout).toMatch(/^1 host follows it: pay-api-1$/m);

    // The KEV-listed openssl fix is an emergency, and the hold keeps it back all the same.
    const listed = await cli('findings', 'list', '--lane', 'emergency', '--json');
    expect(listed.status, listed.stderr).toBe(0);
    const page = JSON.parse(listed.stdout) as { findings: { id: string; advisory: string; lane: { lane: string; reasons: string[] }; baseline: { name: string; state: string } }[] };
    expect(page.findings).toMatchObject([{ advisory: 'DSA-9001-1', lane: { lane: 'emergency', reasons: ['in CISA KEV'] }, baseline: { name: 'prod-web', state: 'held' } }]);
    expect(JSON.parse((await cli('findings', 'list', '--lane', 'scheduled', '--json')).stdout)).toMatchObject({ total: 0 });
    const one = await cli('findings', 'show', page.findings[0]!.id);
    expect(one.status, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^baseline {2}prod-web: held: openssl is held at 3\.0\.11-1~deb12u2 \(FIPS build certified on 3\.0\.11\); the fix 3\.0\.15-1~deb12u1 is beyond it$/m);
    expect(one.stdout).toMatch(/^lane {6}emergency: in CISA KEV$/m);
    expect((await cli('report', 'compliance', '--all')).stdout).toMatch(/pay-api-1\s+compliant\s+prod-web/);

    // The register: the approved exception expires within 14 days; none has expired yet.
    expect((await cli('exceptions', 'list', '--expiring-within', '14d')).stdout).toMatch(/approved\*\s+host:pay-api-1\s+CVE-2026-0001\s+\*\s+compensating-control\s+edge team\s+admin\s+bob\s+\d{4}-\d{2}-\d{2}/);
    expect((await cli('exceptions', 'list', '--state', 'expired', '--json')).stdout).toBe('[]\n');
    const badWithin = await cli('exceptions', 'list', '--expiring-within', 'soon');
    expect(badWithin.status).toBe(2);
    expect(badWithin.stderr).toMatch(/--expiring-within: "soon" is not a number of days/);

    const bad = join(work, 'bad.yaml');
    writeFileSync(bad, 'group: prod-debian\nprecedence: 11\nrules:\n  - { types: [security], afterDays: -1 }\n');
    const refused = await cli('baselines', 'set', 'bad', bad);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/rules\[0\]\.afterDays: expected whole days/);
    writeFileSync(bad, 'group: [unclosed\n');
    expect((await cli('baselines', 'set', 'bad', bad)).status).toBe(2);
    const clash = join(work, 'clash.json');
    writeFileSync(clash, JSON.stringify({ group: 'prod-debian', precedence: 10 }));
    const clashed = await cli('baselines', 'set', 'other', clash);
    expect(clashed.status).toBe(2);
    expect(clashed.stderr).toMatch(/baseline prod-web has precedence 10 already/);

    expect((await cli('baselines', 'delete', 'prod-web')).stdout).toBe('baseline prod-web deleted\n');
    const gone = await cli('baselines', 'show', 'prod-web');
    expect(gone.status).toBe(2);
    expect(gone.stderr).toMatch(/no baseline named prod-web/);
  });

  it('requests an emergency deployment that two people other than the requester must approve', async () => {
    expect((await cli('approval-policies', 'set', 'prod', '--approvals', '1', '--role', 'approver', '--valid-for', '48h')).stdout).toMatch(/approval policy prod: 1 approver holding approver, valid 48 h/);
    const made = await cli('patch-sets', 'create', 'edge openssl', '--target', 'Debian:12:openssl=3.0.15-1~deb12u1');
    const patchSet = /^patch set (\d+)/.exec(made.stdout)?.[1] ?? '';
    expect(patchSet, made.stderr).toMatch(/^\d+$/);
    const requested = await cli('changes', 'request', '--environment', 'prod', '--patch-set', patchSet, '--title', 'December fixes', '--reason', 'KEV on the edge', '--emergency');
    expect(requested.status, requested.stderr).toBe(0);
    const id = /^change (\S+): requested \(0 of 2 approvals\)/.exec(requested.stdout)?.[1] ?? '';
    const own = await cli('changes', 'approve', id);
    expect(own.status).toBe(2);
    expect(own.stderr).toMatch(/requester of a change cannot approve/);
    const url = (JSON.parse(readFileSync(join(data, 'server.json'), 'utf8')) as { url: string }).url;
    const approverToken = async (name: string) => {
      expect((await cli('users', 'create', name)).status).toBe(0);
      expect((await cli('users', 'grant', name, 'approver', '--environment', 'prod')).status).toBe(0);
      const token = (await cli('tokens', 'create', `${name} laptop`, '--user', name)).stdout.trim();
      return (...args: string[]) => runCliAsync(args, { ...process.env, PATCHWISE_URL: url, PATCHWISE_TOKEN: token });
    };
    const asCarol = await approverToken('carol');
    expect((await asCarol('changes', 'approve', id, '--comment', 'rollback plan read')).stdout).toMatch(/requested \(1 of 2 approvals\)/);
    const asDan = await approverToken('dan');
    expect((await asDan('changes', 'approve', id)).stdout).toMatch(/: approved \(2 of 2 approvals, valid until /);
    expect((await cli('changes', 'list', '--state', 'approved')).stdout).toMatch(new RegExp(`${id}\\s+approved\\s+2/2\\s+deployment\\s+emergency\\s+prod\\s+${patchSet}\\s+admin`));
    expect((await cli('changes', 'show', id)).stdout).toMatch(/approved by carol at .*: rollback plan read\n\s+approved by dan/);
  });

  it('plans, creates and starts a deployment only with an approved change, shows its status and halts it', async () => {
    const made = await cli('patch-sets', 'create', 'openssl 3.0.15', '--target', 'Debian:12:openssl=3.0.15-1~deb12u1');
    const patchSet = /^patch set (\d+)/.exec(made.stdout)?.[1] ?? '';
    const plan = await cli('deploy', 'plan', '--patch-set', patchSet, '--environment', 'prod', '--canary', '1', '--soak', '30', '--job-minutes', '20', '--hosts');
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/^1 \(canary\)\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\dZ\s+\d{4}-/m);
    expect(plan.stdout).toMatch(/pay-api-1\s+1\s+.*libssl3=3\.0\.15-1~deb12u1/);
    expect(plan.stdout).toMatch(/1 host in 1 wave; expected finish /);
    expect(plan.stdout).toMatch(/^SLA effect: fixes [1-9]\d* open findings: [1-9]\d* before their due date, 0 after it, 0 already overdue, 0 on hosts with no window$/m);
    const badPlan = await cli('deploy', 'plan', '--patch-set', patchSet, '--environment', 'prod', '--waves', '0');
    expect(badPlan.status).toBe(2);
    expect(badPlan.stderr).toMatch(/strategy.waves: a wave of 0 hosts never ends/);

    const created = await cli('deploy', 'create', 'edge openssl', '--patch-set', patchSet, '--environment', 'prod', '--canary', '1', '--post-check', 'service:nginx.service');
    expect(created.status, created.stderr).toBe(0);
    const id = /^deployment (\d+) \(edge openssl\): patch set \d+ to prod in 1 wave/.exec(created.stdout)?.[1] ?? '';
    expect(id).toMatch(/^\d+$/);
    const unapproved = await cli('deploy', 'start', id);
    expect(unapproved.status).toBe(2);
    expect(unapproved.stderr).toMatch(/no change request/);

    const requested = await cli('changes', 'request', '--environment', 'prod', '--patch-set', patchSet, '--title', 'openssl', '--reason', 'CVE');
    const change = /^change (\S+): requested/.exec(requested.stdout)?.[1] ?? '';
    const url = (JSON.parse(readFileSync(join(data, 'server.json'), 'utf8')) as { url: string }).url;
    expect((await cli('users', 'create', 'dora')).status).toBe(0);
    expect((await cli('users', 'grant', 'dora', 'approver')).status).toBe(0);
    const token = (await cli('tokens', 'create', 'dora laptop', '--user', 'dora')).stdout.trim();
    expect((await runCliAsync(['changes', 'approve', change], { ...process.env, PATCHWISE_URL: url, PATCHWISE_TOKEN: token })).status).toBe(0);
    const started = await cli('deploy', 'start', id, '--change', change);
    expect(started.stdout).toBe(`deployment ${id}: running\n`);

    const status = await cli('deploy', 'status', id);
    expect(status.stdout).toMatch(new RegExp(`^deployment ${id} \\(edge openssl\\): patch set ${patchSet} → prod: RUNNING, wave 1 of 1\\n  wave  1 \\(canary\\) \\[▒+·*\\] 0/1 done, 0 failed, 1 in flight\\n$`));
    expect((await cli('deploy', 'jobs', id)).stdout).toMatch(/pay-api-1\s+install\s+1\s+dispatched\s+libssl3=3\.0\.15-1~deb12u1/);
    expect((await cli('deploy', 'list')).stdout).toMatch(new RegExp(`^${id}\\s+edge openssl\\s+${patchSet}\\s+prod\\s+running\\s+1/1`, 'm'));
    expect((await cli('deploy', 'halt', id, '--reason', 'freeze for the audit')).stdout).toBe(`deployment ${id}: halted (freeze for the audit)\n`);
    const watched = await cli('deploy', 'status', id, '--watch');
    expect(watched.status).toBe(1); // a halted deployment is not a success
    expect((await cli('deploy', 'resume', id)).stderr).toMatch(/is halted; resume needs it paused/);
  });

  it('exports the policy as YAML and applies an edited copy after a dry run', async () => {
    const file = join(work, 'policy.yaml');
    expect((await cli('policy', 'export', '--output', file)).status).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# Patchwise policy/);
    expect(text).toMatch(/^version: 1$/m);
    expect((await cli('policy', 'apply', file, '--dry-run')).stdout).toBe('no changes: the server already holds this policy\n');
    writeFileSync(file, `${text.replace(/^roles: \[\]$/m, '')}\nroles:\n  - name: auditor\n    permissions: [audit.read, hosts.read]\n`);
    const dry = await cli('policy', 'apply', file, '--dry-run');
    expect(dry.stdout).toBe('+ role auditor\n1 change planned (dry run: nothing applied)\n');
    expect((await cli('policy', 'apply', file)).stdout).toBe('+ role auditor\n1 change applied\n');
    expect((await cli('roles', 'list')).stdout).toMatch(/auditor\s+custom\s+audit\.read hosts\.read/);
    writeFileSync(file, 'version: 1\nroles:\n  - name: viewer\n    permissions: [hosts.read]\n');
    const bad = await cli('policy', 'apply', file);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/roles\[0\]: name: viewer is a built-in role/);
  });

  it('manages people: passwords from stdin, lock-outs lifted, custom roles, and whoami', async () => {
    const withInput = (input: string, ...args: string[]) => runCliAsync([...args, '--data', data], process.env, input);
    const created = await withInput('correct horse battery staple\n', 'users', 'create', 'erin', '--password-stdin');
    expect(created.stdout, created.stderr).toMatch(/^user erin created \([0-9a-f-]{36}\)\n$/);
    const short = await withInput('short\n', 'users', 'set-password', 'erin');
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/at least 12 characters/);
    expect((await withInput('', 'users', 'set-password', 'erin')).stderr).toMatch(/standard input is empty/);
    expect((await withInput('another long passphrase\n', 'users', 'set-password', 'erin')).stdout).toBe('password of erin set; their sessions ended\n');
    expect((await cli('roles', 'create', 'patch-reader', '--permission', 'findings.read', '--permission', 'hosts.read')).stdout).toBe('role patch-reader created: findings.read hosts.read\n');
    expect((await cli('users', 'grant', 'erin', 'patch-reader', '--group', 'prod-debian')).stdout).toBe('erin now holds: patch-reader (group prod-debian)\n');
    expect((await cli('users', 'list')).stdout).toMatch(/erin\s+active\s+patch-reader \(group prod-debian\)/);
    const token = (await cli('tokens', 'create', 'erin script', '--user', 'erin', '--permission', 'findings.read')).stdout.trim();
    const url = (JSON.parse(readFileSync(join(data, 'server.json'), 'utf8')) as { url: string }).url;
    const asErin = (...args: string[]) => runCliAsync(args, { ...process.env, PATCHWISE_URL: url, PATCHWISE_TOKEN: token });
    expect((await asErin('whoami')).stdout).toBe('erin (through a token)\n  findings.read: group prod-debian\n');
    const denied = await asErin('hosts', 'list');
    expect(denied.status).toBe(2);
    expect(denied.stderr).toMatch(/erin does not hold the hosts\.read permission \(through this token\)/);
    expect((await cli('users', 'disable', 'erin')).stdout).toBe('erin: disabled\n');
    expect((await asErin('whoami')).status).toBe(2);
    expect((await cli('users', 'enable', 'erin')).stdout).toBe('erin: active\n');
    expect((await cli('users', 'revoke', 'erin', 'patch-reader', '--group', 'prod-debian')).stdout).toBe('erin now holds: no roles\n');
    expect((await cli('roles', 'delete', 'patch-reader')).stdout).toBe('role patch-reader deleted\n');
  });

  it('makes a patch set from open findings and shows its targets and fixes', async () => {
    const made = await cli('patch-sets', 'create', 'edge fixes', '--host', 'pay-api-1');
    expect(made.status, made.stderr).toBe(0);
    const number = /^patch set (\d+) \(edge fixes\): (?:1 target|[1-9]\d+ targets|[2-9] targets) fixing (?:1 advisory|[1-9]\d+ advisories|[2-9] advisories)$/m.exec(made.stdout)?.[1];
    expect(number).toBeDefined();
    const shown = (await cli('patch-sets', 'show', number ?? '')).stdout;
    expect(shown).toMatch(/^ECOSYSTEM\s+PACKAGE\s+TARGET VERSION$/m);
    expect(shown).toMatch(/CVE-2026-0001|DSA-|DLA-/);
    expect((await cli('patch-sets', 'list')).stdout).toMatch(new RegExp(`^${number}\\s+edge fixes\\s+findings\\s`, 'm'));
    const bad = await cli('patch-sets', 'create', 'x', '--target', 'openssl');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--target: "openssl" is not ECOSYSTEM:PACKAGE=VERSION/);
    // A default baseline requiring every security fix at once: the host's one fix is approved,
    // but deferred by the exception granted above, so the baseline requires nothing of it.
    const file = join(mkdtempSync(join(tmpdir(), 'pw-baseline-')), 'all-now.json');
    writeFileSync(file, JSON.stringify({ rules: [{ types: ['security'], afterDays: 0 }] }));
    expect((await cli('baselines', 'set', 'all-now', file)).status).toBe(0);
    try {
      const finding = (JSON.parse((await cli('findings', 'list', '--host', 'pay-api-1', '--json')).stdout) as { findings: { baseline: { state: string }; sla: string }[] }).findings;
      expect(finding.map((f) => [f.baseline.state, f.sla])).toEqual([['approved', 'excepted']]);
      const none = await cli('patch-sets', 'create', 'edge required', '--host', 'pay-api-1', '--from-baseline');
      expect(none.status).not.toBe(0);
      expect(none.stderr).toMatch(/no targets/);
    } finally {
      expect((await cli('baselines', 'delete', 'all-now')).status).toBe(0);
    }
  });

  it('verifies and exports the audit trail of what the operators and the agent did', async () => {
    const verified = await cli('audit', 'verify');
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^audit trail intact: \d+ events/);
    const file = join(work, 'audit.jsonl');
    expect((await cli('audit', 'export', '--output', file)).status).toBe(0);
    const events = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; action: string; prevHash: string; hash: string });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['enroll-token.create', 'host.enroll', 'host.inventory.replace', 'feeds.import', 'host.attributes.set']));
    for (let i = 1; i < events.length; i++) expect(events[i]?.prevHash).toBe(events[i - 1]?.hash);
    const later = await cli('audit', 'export', '--since', '2999-01-01');
    expect(later.stdout).toBe('');
    const bad = await cli('audit', 'export', '--since', 'yesterday-ish');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--since: "yesterday-ish" is not a date/);
  });

  it('reconciles a CMDB export and names bad input with exit 2', async () => {
    const csv = join(work, 'cmdb.csv');
    // Line 4 is a second record of pay-api-1 (by its name): a duplicate, not a missing machine.
    writeFileSync(csv, `hostname,machine_id,tier,owner,Rack\npay-api-1,${MACHINE_ID},1,payments,R1\ndb-9,,0,dba,R2\npay-api-1,,1,payments,R1\n`);
    const imported = await cli('cmdb', 'import', csv);
    expect(imported.status).toBe(0);
    // A column it does not read is named once, on stderr; the import still happened.
    expect(imported.stderr).toMatch(/cmdb\.csv: warning: columns not read \(their values are kept with each asset as extra\): Rack\n/);
    const r = await cli('cmdb', 'reconcile', '--json');
    expect(r.status).toBe(1);
    const result = JSON.parse(r.stdout) as { matched: { by: string; mismatches: { field: string }[] }[]; missing: { asset: { hostname: string } }[] };
    expect(result.matched).toMatchObject([{ by: 'machine_id' }]);
    expect(result.matched[0]?.mismatches).toContainEqual({ field: 'tier', expected: '1', actual: '0' });
    expect(result.missing).toMatchObject([{ asset: { hostname: 'db-9' } }]);
    const text = await cli('cmdb', 'reconcile');
    expect(text.status).toBe(1);
    const hostId = (JSON.parse((await cli('hosts', 'list', '--json')).stdout) as { id: string; name: string }[]).find((h) => h.name === 'pay-api-1')?.id;
    expect(text.stdout).toContain(`duplicate cmdb.csv line 4 (pay-api-1): names host pay-api-1 (${hostId}) by hostname, as cmdb.csv line 2 (pay-api-1) does by machine_id\n`);
    expect(text.stdout).not.toMatch(/^missing\s+pay-api-1/m);
    expect(text.stderr).toBe('1 matched (1 with mismatches), 1 missing, 0 unknown, 1 duplicate, 0 ambiguous\n');

    // Every bad row is printed, one per line; the stored CMDB is kept.
    const badRows = join(work, 'bad-rows.csv');
    writeFileSync(badRows, 'hostname,tier\nok-1,1\nweb-1,7\nweb-2,T9\n');
    const refused = await cli('cmdb', 'import', badRows);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/2 bad row\(s\), nothing imported:\n {2}bad-rows\.csv: line 3: tier: .*\n {2}bad-rows\.csv: line 4: tier: /);
    // A file with no assets is refused unless emptying is asked for.
    const headerOnly = join(work, 'header-only.csv');
    writeFileSync(headerOnly, 'hostname,tier\n');
    const empty = await cli('cmdb', 'import', headerOnly);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/no assets in the file, nothing imported and the stored CMDB kept/);
    expect((JSON.parse((await cli('cmdb', 'reconcile', '--json')).stdout) as { missing: unknown[] }).missing).toHaveLength(1);
    expect((await cli('cmdb', 'import', '--allow-empty', headerOnly)).stdout).toMatch(/0 expected assets imported/);
    expect((await cli('cmdb', 'import', csv)).status).toBe(0);

    const bad = await cli('hosts', 'set', 'pay-api-1', '--attr', 'tier=7');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/tier/);
    expect(bad.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    const unknown = await cli('hosts', 'show', 'no-such-host');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/no-such-host/);
  });

  it('lists a finding retracted by a withdrawn record apart from fixed ones, and reopens it when the record returns', async () => {
    // The host keeps libssl3 from openssl 3.0.11-1~deb12u2; only the record changes.
    const withdrawn = await cli('feeds', 'import', writeAdvisory({ modified: '2026-12-05T00:00:00Z', withdrawn: '2026-12-05T00:00:00Z' }));
    expect(withdrawn.status, withdrawn.stderr).toBe(0);
    expect(withdrawn.stdout).toMatch(/0 new, 1 updated, 0 unchanged records; 1 host re-assessed \(findings 1 retracted\)$/m);
    const listed = await cli('findings', 'list', '--state', 'retracted');
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/P\d\s+pay-api-1\s+openssl\s+3\.0\.11-1~deb12u2\s.*\sretracted\s+DSA-9001-1$/m);
    const shown = await cli('findings', 'show', (/^(\d+)\s/m.exec(listed.stdout.split('\n')[1] ?? '') ?? [])[1] ?? '');
    expect(shown.stdout).toMatch(/^state\s+retracted \d{4}-\d{2}-\d{2}, first seen/m);
    expect((JSON.parse((await cli('findings', 'list', '--json')).stdout) as { total: number }).total).toBe(0);
    expect((JSON.parse((await cli('findings', 'list', '--state', 'fixed', '--json')).stdout) as { total: number }).total).toBe(0);
    const refused = await cli('findings', 'list', '--state', 'closed');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/open, fixed, retracted/);

    const back = await cli('feeds', 'import', writeAdvisory({ modified: '2026-12-06T00:00:00Z' }));
    expect(back.stdout).toMatch(/1 host re-assessed$/m); // reopened: no finding opened or closed
    const open = JSON.parse((await cli('findings', 'list', '--json')).stdout) as { findings: { advisory: string; state: string; fixedAt: string | null }[] };
    expect(open.findings).toMatchObject([{ advisory: 'DSA-9001-1', state: 'open', fixedAt: null }]);
  });

  // Last: it retires the host the others use.
  it('lists and revokes enrollment tokens, and retires the host: gone from lists, shown as retired, its agent exits 4', async () => {
    const made = await cli('enroll-token', 'create', '--uses', '3', '--attr', 'tier=2', '--json');
    expect(made.status, made.stderr).toBe(0);
    const { id, token: secret } = JSON.parse(made.stdout) as { id: string; token: string };
    const listed = await cli('enroll-token', 'list');
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+CREATED\s+EXPIRES\s+USES LEFT\s+ATTRIBUTES\s+STATE$/m);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+\\S+\\s+\\S+\\s+3\\s+tier=2\\s+usable$`, 'm'));
    expect(listed.stdout).not.toContain(secret);
    const revoked = await cli('enroll-token', 'revoke', id);
    expect(revoked.status, revoked.stderr).toBe(0);
    expect((JSON.parse((await cli('enroll-token', 'list', '--json')).stdout) as { id: string; state: string }[]).find((x) => x.id === id)).toMatchObject({ state: 'revoked' });
    expect((await cli('enroll-token', 'revoke', 'not-an-id')).status).toBe(2);

    // The halted deployment of an earlier test still holds a job for it: refused until it ends.
    const waiting = await cli('hosts', 'retire', 'pay-api-1', '--reason', 'decommissioned');
    expect(waiting.status).toBe(1);
    expect(waiting.stderr).toMatch(/unfinished jobs in deployment\(s\) 1;/);
    expect((await cli('deploy', 'cancel', '1')).status).toBe(0);
    const retired = await cli('hosts', 'retire', 'pay-api-1', '--reason', 'decommissioned');
    expect(retired.status, retired.stderr).toBe(0);
    expect(retired.stdout).toMatch(/^retired pay-api-1 [0-9a-f-]{36}$/m);
    expect(JSON.parse((await cli('hosts', 'list', '--json')).stdout)).toEqual([]);
    expect(JSON.parse((await cli('hosts', 'list', '--retired', '--json')).stdout)).toMatchObject([{ name: 'pay-api-1', status: 'retired', retiredReason: 'decommissioned' }]);
    const shown = await cli('hosts', 'show', 'pay-api-1');
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^state\s+RETIRED at \S+: decommissioned$/m);
    expect((JSON.parse((await cli('findings', 'list', '--json')).stdout) as { total: number }).total).toBe(0);
    const again = await cli('hosts', 'retire', 'pay-api-1');
    expect(again.status).not.toBe(0);

    const url = (JSON.parse(readFileSync(join(data, 'server.json'), 'utf8')) as { url: string }).url;
    const agent = await runCliAsync(['agent', 'run', '--once', '--server', url, '--state', join(work, 'agent'), '--root', debianRoot()]);
    expect(agent.status, agent.stderr).toBe(4);
    expect(agent.stderr + agent.stdout).toMatch(/retired.*decommissioned/);
  });
});
