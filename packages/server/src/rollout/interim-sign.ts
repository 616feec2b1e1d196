import type { JobManifest, SignedJobManifest } from '@patchwise/core';

/** Placeholder until the job-signing key lands: the manifest unsigned. Agents refuse it. */
export const INTERIM_SIGN = (m: JobManifest): SignedJobManifest => ({ payload: JSON.stringify(m), signature: '', keyId: '' });
