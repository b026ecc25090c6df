// RBAC evaluation for `auth can-i`: explicit exports.
export { authorize, decide, rulesFor, ruleAllows, nonResourceRuleAllows, impersonatedUser, withBootstrap, DEFAULT_ADMIN } from './authorizer';
export type { Decision, PolicyRule, UserInfo, RbacObjects, ResourceRequest, NonResourceRequest } from './authorizer';
export { rulesTableRows, breakdownRule, compactRules } from './rules-table';
