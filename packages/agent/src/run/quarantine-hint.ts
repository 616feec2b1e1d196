/**
 * What to do about a quarantined host, for the agent's log: the server's reason says what it saw,
 * not the way out, and an agent that only exits 3 leaves the operator guessing. Every command
 * named exists in the CLI (`patchwise hosts show|set`).
 *
 * `justEnrolled`: the host was made quarantined by this run's enrollment, which happens when the
 * machine id is enrolled already (a lost or new state directory, or a cloned machine).
 * Otherwise the quarantine came later (an admin's, or the identity presented by another machine).
 */
export function quarantineHint(hostId: string, stateDir: string, justEnrolled: boolean): string[] {
  const release = `an admin runs \`patchwise hosts set ${hostId} --release\``;
  if (justEnrolled) {
    return [
      `what to do: this machine's id belongs to a host enrolled before (named above), so the server keeps this new host ${hostId} apart until someone decides:`,
      `  - the same machine, its earlier state directory still there: start the agent with --state <that directory> (its identity.json names the old host), and remove ${stateDir}`,
      `  - the same machine, its earlier state directory lost: ${release}, then start this agent again (the old host may be marked with \`patchwise hosts set <old host> --quarantine --reason "replaced by ${hostId}"\`)`,
      `  - a clone of that machine: give it a machine id of its own (/etc/machine-id) and a new --state directory, and enroll again`,
    ];
  }
  return [
    `what to do: \`patchwise hosts show ${hostId}\` gives the reason; if this machine is that host (its machine id unchanged), ${release}, then start this agent again; a machine that is not (a clone, or a copied state directory) needs a machine id of its own (/etc/machine-id) and a new --state directory instead of ${stateDir}, and enrolls again`,
  ];
}
