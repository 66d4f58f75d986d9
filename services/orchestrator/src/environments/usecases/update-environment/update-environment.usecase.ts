import { Injectable } from '@nestjs/common';
import { canonicalize } from '@stella/canonical';
import { actorName, eventActor, type Actor } from '../../../common/actor';
import type { TenantId } from '../../../common/tenancy';
import { OrchestratorEvents } from '../../../events/orchestrator-events';
import { UnitOfWork } from '../../../persistence/unit-of-work';
import { GateRegistry } from '../../../promotions/gates/gate-registry';
import { policyDigestOf, type EnvironmentPolicy, type EnvironmentView } from '../../environment.model';
import { EnvironmentsRepository } from '../../environments.repository';
import { assertKnownGates } from '../create-environment/create-environment.usecase';
import type { UpdateEnvironmentCommand } from './update-environment.command';

const POLICY_KEYS = ['approvals', 'separationOfDuties', 'freezeWindows', 'gates', 'deployment'] as const;

/** Changes an environment's policy; promotions already decided keep the policy they were decided by. */
@Injectable()
export class UpdateEnvironmentUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly environments: EnvironmentsRepository,
    private readonly gates: GateRegistry,
    private readonly events: OrchestratorEvents,
  ) {}

  async execute(tenant: TenantId, actor: Actor, command: UpdateEnvironmentCommand): Promise<EnvironmentView> {
    if (command.gates) assertKnownGates(this.gates, command.gates);
    return this.uow.run(tenant, async (tx) => {
      const current = await this.environments.get(tx.manager, tenant, command.name, true);
      const policy: EnvironmentPolicy = { ...current.policy };
      const changed: string[] = [];
      for (const key of POLICY_KEYS) {
        const value = command[key];
        if (value !== undefined && canonicalize(value) !== canonicalize(current.policy[key])) {
          (policy as Record<string, unknown>)[key] = value;
          changed.push(key);
        }
      }
      const displayName = command.displayName ?? current.displayName;
      if (displayName !== current.displayName) changed.push('displayName');
      const path = await this.environments.path(tx.manager, tenant);
      const position = path.environments.indexOf(command.name);
      if (changed.length === 0) return { ...current, position };
      const updated = {
        ...current,
        displayName,
        policy,
        policyDigest: policyDigestOf(policy),
        version: current.version + 1,
        updatedAt: tx.now.toISOString(),
      };
      await this.environments.update(tx.manager, tenant, updated);
      tx.emit(
        this.events.build(
          'stella.orchestrator.environment.updated',
          tenant,
          {
            tenantId: tenant,
            environment: command.name,
            policyDigest: updated.policyDigest,
            version: updated.version,
            changedFields: changed,
            actor: eventActor(actor),
          },
          command.name,
          tx.now,
        ),
      );
      tx.record({
        action: 'environment.updated',
        subject: { type: 'environment', id: command.name },
        actor: actorName(actor),
        at: updated.updatedAt,
        data: { changedFields: changed, policy, policyDigest: updated.policyDigest, version: updated.version },
      });
      return { ...updated, position };
    });
  }
}
