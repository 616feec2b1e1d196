import { Type } from '@fastify/type-provider-typebox';
import { strategyToJson, type Deployment, type Job } from '@patchwise/core';

const Text = Type.String();
const Nullable = Type.Union([Type.String(), Type.Null()]);
const Version = Type.Object({ name: Text, version: Nullable });

export const DeploymentView = Type.Object({
  id: Type.Integer(),
  name: Text,
  patchSet: Type.Integer(),
  environment: Text,
  changeId: Nullable,
  selection: Type.Object({ groups: Type.Array(Text), hosts: Type.Array(Text) }),
  strategy: Type.Record(Text, Type.Unknown()),
  windows: Type.Array(Text),
  hooks: Type.Object({ preSteps: Type.Array(Text), postSteps: Type.Array(Text), preChecks: Type.Array(Type.Unknown()), postChecks: Type.Array(Type.Unknown()) }),
  /** created | running | paused | halted | completed | rolling-back | rolled-back | cancelled */
  state: Text,
  stateReason: Nullable,
  /** 1-based; wave 1 is the canary. */
  currentWave: Type.Integer(),
  waveCount: Type.Integer(),
  soakUntil: Nullable,
  createdAt: Text,
  createdBy: Type.Object({ id: Text, name: Nullable }),
  startedAt: Nullable,
  finishedAt: Nullable,
});

export const JobView = Type.Object({
  id: Text,
  hostId: Text,
  hostName: Text,
  cluster: Nullable,
  action: Text,
  wave: Type.Integer(),
  /** pending | dispatched | running | rebooting | succeeded | failed | rolled-back | skipped | cancelled */
  state: Text,
  stateReason: Nullable,
  manager: Nullable,
  targets: Type.Array(Version),
  previous: Type.Union([Type.Array(Version), Type.Null()]),
  dispatchedAt: Nullable,
  finishedAt: Nullable,
});

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export function deploymentView(d: Deployment) {
  return {
    id: d.id,
    name: d.name,
    patchSet: d.patchSet,
    environment: d.environment,
    changeId: d.changeId,
    selection: { groups: [...d.selection.groups], hosts: [...d.selection.hosts] },
    strategy: strategyToJson(d.strategy),
    windows: [...d.windows],
    // Names only: the bodies are in the library and in each manifest.
    hooks: {
      preSteps: d.hooks.preSteps.map((s) => s.name),
      postSteps: d.hooks.postSteps.map((s) => s.name),
      preChecks: d.hooks.preChecks.map((c) => (c.kind === 'script' ? { kind: 'script', script: c.script.name } : c)),
      postChecks: d.hooks.postChecks.map((c) => (c.kind === 'script' ? { kind: 'script', script: c.script.name } : c)),
    },
    state: d.state,
    stateReason: d.stateReason,
    currentWave: d.currentWave + 1,
    waveCount: d.waveCount,
    soakUntil: iso(d.soakUntil),
    createdAt: d.createdAt.toISOString(),
    createdBy: { ...d.createdBy },
    startedAt: iso(d.startedAt),
    finishedAt: iso(d.finishedAt),
  };
}

export function jobView(j: Job) {
  return {
    id: j.id,
    hostId: j.hostId,
    hostName: j.hostName,
    cluster: j.cluster,
    action: j.action,
    wave: j.wave + 1,
    state: j.state,
    stateReason: j.stateReason,
    manager: j.manager,
    targets: j.targets.map((t) => ({ ...t })),
    previous: j.previous === null ? null : j.previous.map((t) => ({ ...t })),
    dispatchedAt: iso(j.dispatchedAt),
    finishedAt: iso(j.finishedAt),
  };
}
