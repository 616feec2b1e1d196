/** JobJournal on the real filesystem: hashed file names, mode 0600, atomic replacement, damage never read as "no entry". */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { JobJournal, type JournalEntry } from '@patchwise/agent';
import { makeTree, removeTrees } from './support/fake-root.js';

afterAll(removeTrees);

const entry = (key: string, state: JournalEntry['state'] = 'started'): JournalEntry => ({
  v: 1,
  idempotencyKey: key,
  jobId: 'job-1',
  manifestDigest: 'd'.repeat(64),
  state,
  previous: [{ name: 'pw-hello', version: '1.0' }],
  attempts: 1,
  startedAt: '2026-01-01T00:00:00.000Z',
  report: null,
});

describe('JobJournal', () => {
  it('stores each key in jobs/<sha256 of the key>.json with mode 0600, in a 0700 directory', async () => {
    const journal = new JobJournal(await makeTree({}, 'pw-journal-'));
    const key = '../../etc/passwd';
    await journal.put(entry(key));
    const name = `${createHash('sha256').update(key).digest('hex')}.json`;
    expect(readdirSync(journal.dir)).toEqual([name]);
    expect(statSync(`${journal.dir}/${name}`).mode & 0o777).toBe(0o600);
    expect(statSync(journal.dir).mode & 0o777).toBe(0o700);
    expect(await journal.get(key)).toEqual(entry(key));
    expect(await journal.get('other')).toBeUndefined();
  });

  it('replaces an entry whole and leaves no temporary file behind', async () => {
    const journal = new JobJournal(await makeTree({}, 'pw-journal-'));
    await journal.put(entry('k'));
    await journal.put(entry('k', 'finished'));
    expect((await journal.get('k'))?.state).toBe('finished');
    expect(readdirSync(journal.dir)).toHaveLength(1);
  });

  it('refuses a damaged entry instead of treating it as a job never run', async () => {
    const journal = new JobJournal(await makeTree({}, 'pw-journal-'));
    await journal.put(entry('k'));
    writeFileSync(journal.pathOf('k'), '{"v":1,"idempot');
    await expect(journal.get('k')).rejects.toMatchObject({ code: 'PW_INPUT_MALFORMED' });
    writeFileSync(journal.pathOf('k'), JSON.stringify(entry('another key')));
    await expect(journal.get('k')).rejects.toMatchObject({ code: 'PW_INPUT_INVALID' });
  });

  it('lets one delivery of a key run at a time', () => {
    const journal = new JobJournal('/nonexistent');
    const release = journal.claim('k');
    expect(() => journal.claim('k')).toThrow(expect.objectContaining({ code: 'PW_CONFLICT' }));
    release();
    journal.claim('k')();
  });
});
