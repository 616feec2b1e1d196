import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA_POLICY, parseSlaPolicy, slaClockStart, slaDays, slaVerdict } from './sla-policy.js';

const seen = new Date('2026-11-01T00:00:00Z');
const at = (iso: string) => new Date(iso);

describe('slaVerdict', () => {
  it('counts the window from first seen, by priority and tier', () => {
    expect(slaDays(DEFAULT_SLA_POLICY, 'P1', 0)).toBe(7);
    expect(slaDays(DEFAULT_SLA_POLICY, 'P1', 2)).toBe(14);
    expect(slaDays(DEFAULT_SLA_POLICY, 'P1', null)).toBe(14);
    expect(slaDays(DEFAULT_SLA_POLICY, 'P3', 0)).toBe(90);
    expect(slaVerdict(DEFAULT_SLA_POLICY, { priority: 'P2', firstSeen: seen }, 1, at('2026-11-10T00:00:00Z'))).toEqual({ dueAt: at('2026-12-01T00:00:00Z'), state: 'ok' });
  });

  it('warns in the last fifth of the window and breaches after it', () => {
    const f = { priority: 'P2' as const, firstSeen: seen };
    expect(slaVerdict(DEFAULT_SLA_POLICY, f, 1, at('2026-11-25T00:00:00Z')).state).toBe('ok');
    expect(slaVerdict(DEFAULT_SLA_POLICY, f, 1, at('2026-11-25T00:00:01Z')).state).toBe('due-soon');
    expect(slaVerdict(DEFAULT_SLA_POLICY, f, 1, at('2026-12-01T00:00:00Z')).state).toBe('due-soon');
    expect(slaVerdict(DEFAULT_SLA_POLICY, f, 1, at('2026-12-01T00:00:01Z')).state).toBe('breached');
    expect(slaVerdict(DEFAULT_SLA_POLICY, f, 0, at('2026-11-17T00:00:00Z')).state).toBe('breached');
  });

  it('judges a fixed finding at its fix time', () => {
    const late = { priority: 'P1' as const, firstSeen: seen, fixedAt: at('2026-11-20T00:00:00Z') };
    expect(slaVerdict(DEFAULT_SLA_POLICY, late, 3, at('2027-01-01T00:00:00Z')).state).toBe('breached');
    expect(slaVerdict(DEFAULT_SLA_POLICY, { ...late, fixedAt: at('2026-11-14T00:00:00Z') }, 3, at('2027-01-01T00:00:00Z')).state).toBe('ok');
  });
});

describe('the SLA clock', () => {
  const published = at('2026-10-01T00:00:00Z');
  const f = { priority: 'P2' as const, firstSeen: seen, published };

  it('starts at first seen by default, and at publication when configured (first seen when unknown)', () => {
    expect(slaClockStart(DEFAULT_SLA_POLICY, f)).toEqual(seen);
    const fromPublished = parseSlaPolicy({ clock: 'published' }, 'sla.yaml');
    expect(slaClockStart(fromPublished, f)).toEqual(published);
    expect(slaVerdict(fromPublished, f, 1, at('2026-11-02T00:00:00Z'))).toEqual({ dueAt: at('2026-10-31T00:00:00Z'), state: 'breached' });
    expect(slaVerdict(DEFAULT_SLA_POLICY, f, 1, at('2026-11-02T00:00:00Z')).state).toBe('ok');
    expect(slaClockStart(fromPublished, { ...f, published: null })).toEqual(seen);
  });

  it('starts again when an exception covering the finding expired, only when configured', () => {
    const expired = at('2026-12-15T00:00:00Z');
    const g = { ...f, exceptionExpiredAt: expired };
    expect(slaVerdict(DEFAULT_SLA_POLICY, g, 1, at('2026-12-16T00:00:00Z'))).toEqual({ dueAt: at('2026-12-01T00:00:00Z'), state: 'breached' });
    const restarting = parseSlaPolicy({ restartOnExceptionExpiry: true }, 'sla.yaml');
    expect(slaVerdict(restarting, g, 1, at('2026-12-16T00:00:00Z'))).toEqual({ dueAt: at('2027-01-14T00:00:00Z'), state: 'ok' });
    // An exception that ran out before the finding was seen restarts nothing.
    expect(slaClockStart(restarting, { ...f, exceptionExpiredAt: at('2026-10-15T00:00:00Z') })).toEqual(seen);
  });
});

describe('parseSlaPolicy', () => {
  it('overrides rows given and keeps the defaults of the rest', () => {
    const p = parseSlaPolicy({ days: { P1: { '0': 3, default: 10 } }, warnFraction: 0.5 }, 'sla.yaml');
    expect(p.days.P1).toEqual({ '0': 3, default: 10 });
    expect(p.days.P2).toEqual(DEFAULT_SLA_POLICY.days.P2);
    expect(p.warnFraction).toBe(0.5);
  });

  it.each([
    [{ days: { P5: { default: 3 } } }, /days\.P5: not a priority/],
    [{ days: { P1: { '4': 3, default: 3 } } }, /days\.P1\.4: not a tier/],
    [{ days: { P1: { '0': 3 } } }, /days\.P1\.default: required/],
    [{ days: { P1: { default: 0 } } }, /whole days from 1 to 3650/],
    [{ days: { P1: { default: 2.5 } } }, /whole days/],
    [{ warnFraction: 1 }, /warnFraction/],
    [{ clock: 'advisory' }, /clock: expected first-seen or published/],
    [{ restartOnExceptionExpiry: 'yes' }, /restartOnExceptionExpiry: expected true or false/],
    [{ emergency: { cvssAtLeast: 12 } }, /emergency\.cvssAtLeast/],
    [{ grace: 3 }, /grace: unknown field/],
    [[], /expected an object/],
  ])('refuses %j', (value, message) => {
    expect(() => parseSlaPolicy(value, 'sla.yaml')).toThrow(message);
  });
});
