// RBAC evaluation for `auth can-i`: explicit exports.
export { authorize, rulesFor, ruleAllows, nonResourceRuleAllows, impersonatedUser, withBootstrap, DEFAULT_ADMIN } from './authorizer';
export type { PolicyRule, UserInfo, RbacObjects, ResourceRequest, NonResourceRequest } from './authorizer';
export { rulesTableRows, breakdownRule, compactRules } from './rules-table';
