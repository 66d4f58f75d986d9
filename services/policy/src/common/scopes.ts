/** Scopes the policy service checks (granted by the authority; names never change). */
export const POLICY_READ = 'policy:read';
export const POLICY_WRITE = 'policy:write';
export const POLICY_EVALUATE = 'policy:evaluate';
export const EXCEPTION_REQUEST = 'exception:request';
export const EXCEPTION_APPROVE = 'exception:approve';
