/**
 * Policy as code: governance (host groups, patch baselines, approval policies, custom roles,
 * maintenance windows and freezes, the SLA) as one YAML or JSON document, parsed with each kind's own rules, and the plan that
 * turns the stored policy into it (`planPolicy`), shown before anything is applied.
 */
export { POLICY_DOCUMENT_VERSION, parsePolicyDocument, policyDocumentData } from './policy-document.js';
export type { PolicyDocument, RoleDefinition } from './policy-document.js';
export { describeChange, planPolicy } from './policy-plan.js';
export type { PolicyChange, PolicyKind } from './policy-plan.js';
