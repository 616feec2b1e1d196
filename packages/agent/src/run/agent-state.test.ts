import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentState } from './agent-state.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-agent-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('AgentState reported inventory', () => {
  it('is absent until saved, then read back as saved', () => {
    const state = new AgentState(dir);
    expect(state.reportedInventory()).toBeUndefined();
    const reported = { digest: 'a'.repeat(64), distribution: { id: 'debian', versionId: '12' } };
    state.saveReportedInventory(reported);
    expect(state.reportedInventory()).toEqual(reported);
    state.saveReportedInventory({ digest: 'b'.repeat(64), distribution: null });
    expect(state.reportedInventory()).toEqual({ digest: 'b'.repeat(64), distribution: null });
  });

  it('refuses a file it did not write, naming it', () => {
    const state = new AgentState(dir);
    for (const text of ['{', '{"digest":1,"distribution":null}', '{"digest":"x","distribution":{"id":"debian"}}']) {
      writeFileSync(join(dir, 'reported-inventory.json'), text);
      expect(() => state.reportedInventory()).toThrow(expect.objectContaining({ code: 'PW_INPUT_MALFORMED', message: expect.stringContaining('reported-inventory.json') }));
    }
  });
});
