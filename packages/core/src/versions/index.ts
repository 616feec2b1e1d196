export type { SchemeId, VersionScheme } from './version-scheme.js';
export { canonicalEcosystem, ecosystemInfo, schemeFor } from './ecosystems.js';
export type { EcosystemInfo } from './ecosystems.js';
export { dpkgScheme } from './dpkg.js';
export { rpmScheme } from './rpm.js';
export { apkScheme } from './apk.js';
export { pep440Scheme } from './pep440.js';
export { semverScheme } from './semver.js';
export { genericScheme } from './generic.js';
