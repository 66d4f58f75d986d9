// Side-effect-free entry: the module and its parts, for tests and tooling. `main.ts` starts the service.
export { createPolicyModule, POLICY_CLIENT_SCOPES, type PolicyModuleOptions } from './policy.module';
export { policyConfigSchema, loadPolicyConfig, POLICY_SERVICE_NAME, type PolicyConfig } from './config/policy-config';
export { policyMigrations } from './migrations';
export { RELEASE_STREAM, CONSUMERS } from './common/streams';
export { IntelEventsHandler } from './reevaluation/intel-events.handler';
export type { TokenProvider } from './common/ports';
