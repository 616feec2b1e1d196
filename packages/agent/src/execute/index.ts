/**
 * Job execution on the host: runners (argv only, never a shell string: local, chroot, and SSH for
 * agentless hosts with host key pinning and the server's client key), package drivers (apt, dnf,
 * yum, zypper, apk), health checks, the idempotency journal and executeJob, which turns a
 * verified job manifest into a job report. This file is the module's only door.
 */
export type { CommandRunner, CommandRunOptions } from './command-runner.js';
export { LocalRunner, DEFAULT_OUTPUT_CAP_BYTES, DEFAULT_TIMEOUT_MS } from './local-runner.js';
export type { LocalRunnerOptions } from './local-runner.js';
export { ChrootRunner } from './chroot-runner.js';
export { RecordingRunner } from './recording-runner.js';
export { CommandFailedError, describeExit } from './command-failed-error.js';
export type { PackageDriver } from './package-driver.js';
export { AptDriver } from './apt-driver.js';
export { DnfDriver } from './dnf-driver.js';
export { YumDriver } from './yum-driver.js';
export { ZypperDriver } from './zypper-driver.js';
export { ApkDriver, parseApkList } from './apk-driver.js';
export { parseRpmQuery, RPM_QUERY_FORMAT } from './rpm-query.js';
export { createPackageDriver } from './create-package-driver.js';
export { approvedScriptArgv, sha256Hex, verifyApprovedScript } from './approved-script.js';
export { runHealthCheck, validateHealthCheck } from './health-check.js';
export type { HealthCheckContext, HealthCheckResult } from './health-check.js';
export { JobJournal } from './job-journal.js';
export type { JournalEntry, JournalState } from './job-journal.js';
export { executeJob, MAX_JOB_ATTEMPTS } from './execute-job.js';
export { POST_REBOOT_SETTLE_MS, reportBack } from './report-back.js';
export type { ReportBackDeps } from './report-back.js';
export { BOOT_ID_FILE, REBOOT_MARKER_FILE, runnerReboot } from './host-reboot.js';
export type { HostReboot } from './host-reboot.js';
export type { ExecuteJobDeps } from './execute-job.js';
export { manifestDigest, validateManifest } from './validate-manifest.js';
export { DEFAULT_MAX_OUTPUT_BYTES, SshRunner } from './ssh-runner.js';
export type { SshConnectOptions, SshTimeouts } from './ssh-runner.js';
export { HOST_KEY_ALGORITHMS, fetchHostKey, sshFingerprint } from './fetch-host-key.js';
export type { FetchHostKeyOptions } from './fetch-host-key.js';
export { generateSshClientKey, sshPublicKeyOf } from './ssh-client-key.js';
export type { SshClientKey } from './ssh-client-key.js';
export { quoteShellWord, remoteCommandLine } from './remote-command-line.js';
export { OutputTail } from './output-tail.js';
