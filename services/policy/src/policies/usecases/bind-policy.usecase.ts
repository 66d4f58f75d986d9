import { Inject, Injectable } from '@nestjs/common';
import { ProblemError } from '@stella/platform';
import { POLICY_CLOCK, type Clock } from '../../common/ports';
import { CompiledPolicies } from '../compiled-policies';
import { PoliciesRepository, type BindingRow } from '../policies.repository';

export interface BindPolicyCommand {
  tenantId: string;
  actor: string;
  environment: string;
  name: string;
  version: string;
}

/** Binds a stored policy version to an environment; the policy must configure that environment. */
@Injectable()
export class BindPolicy {
  constructor(
    @Inject(POLICY_CLOCK) private readonly clock: Clock,
    private readonly repository: PoliciesRepository,
    private readonly compiled: CompiledPolicies,
  ) {}

  async execute(command: BindPolicyCommand): Promise<BindingRow> {
    const version = await this.repository.find(command.tenantId, command.name, command.version);
    if (!version)
      throw new ProblemError(404, {
        type: 'policy-not-found',
        title: 'Policy version not found',
        detail: `${command.name} ${command.version}`,
      });
    const policy = this.compiled.get(version.policyHash, version.source);
    if (!policy.environments.includes(command.environment))
      throw new ProblemError(422, {
        type: 'environment-not-in-policy',
        title: 'The policy does not configure this environment',
        detail: `${command.name} ${command.version} configures ${policy.environments.join(', ') || 'no environment'}, not ${command.environment}`,
        field: 'environment',
      });
    const row: BindingRow = {
      tenantId: command.tenantId,
      environment: command.environment,
      policyName: command.name,
      policyVersion: command.version,
      boundAt: this.clock.now(),
      boundBy: command.actor,
    };
    await this.repository.bind(row);
    return row;
  }
}
