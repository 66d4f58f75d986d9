import { Injectable } from '@nestjs/common';
import { actorName, eventActor, type Actor } from '../../../common/actor';
import { OrchestratorError } from '../../../common/errors';
import type { TenantId } from '../../../common/tenancy';
import { OrchestratorEvents } from '../../../events/orchestrator-events';
import { UnitOfWork, type IdempotencyRequest, type Outcome } from '../../../persistence/unit-of-work';
import { GateRegistry } from '../../../promotions/gates/gate-registry';
import { policyDigestOf, type EnvironmentPolicy, type EnvironmentView } from '../../environment.model';
import { EnvironmentsRepository } from '../../environments.repository';
import type { CreateEnvironmentCommand } from './create-environment.command';

@Injectable()
export class CreateEnvironmentUseCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly environments: EnvironmentsRepository,
    private readonly gates: GateRegistry,
    private readonly events: OrchestratorEvents,
  ) {}

  async execute(
    tenant: TenantId,
    actor: Actor,
    command: CreateEnvironmentCommand,
    options: { idempotency?: IdempotencyRequest } = {},
  ): Promise<{ outcome: Outcome<EnvironmentView>; replayed: boolean }> {
    const { name, displayName, position, ...policy } = command;
    assertKnownGates(this.gates, policy.gates);
    return this.uow.runIdempotent(tenant, options.idempotency, async (tx) => {
      const path = await this.environments.path(tx.manager, tenant, true);
      const at = tx.now.toISOString();
      const record = {
        name,
        displayName: displayName ?? name,
        policy: policy as EnvironmentPolicy,
        policyDigest: policyDigestOf(policy),
        version: 1,
        createdAt: at,
        createdBy: actorName(actor),
        updatedAt: at,
      };
      await this.environments.insert(tx.manager, tenant, record);
      const environments = [...path.environments];
      environments.splice(Math.min(position ?? environments.length, environments.length), 0, name);
      const newPath = { environments, allowSkip: path.allowSkip, version: path.version + 1 };
      await this.environments.savePath(tx.manager, tenant, newPath, tx.now);
      tx.emit(
        this.events.build(
          'stella.orchestrator.environment.created',
          tenant,
          { tenantId: tenant, environment: name, policyDigest: record.policyDigest, actor: eventActor(actor) },
          name,
          tx.now,
        ),
        this.events.build(
          'stella.orchestrator.promotion_path.updated',
          tenant,
          { tenantId: tenant, environments, allowSkip: newPath.allowSkip, actor: eventActor(actor) },
          undefined,
          tx.now,
        ),
      );
      tx.record(
        {
          action: 'environment.created',
          subject: { type: 'environment', id: name },
          actor: actorName(actor),
          at,
          data: { displayName: record.displayName, policy: record.policy, policyDigest: record.policyDigest },
        },
        {
          action: 'promotion_path.updated',
          subject: { type: 'promotion_path', id: tenant },
          actor: actorName(actor),
          at,
          data: { environments, allowSkip: newPath.allowSkip, version: newPath.version },
        },
      );
      return { ok: true as const, value: { ...record, position: environments.indexOf(name) } };
    });
  }
}

export function assertKnownGates(registry: GateRegistry, gates: readonly string[]): void {
  const unknown = registry.unknown(gates);
  if (unknown.length > 0) {
    throw new OrchestratorError('VALIDATION_FAILED', `unknown gate(s): ${unknown.join(', ')}`, {
      errors: [{ path: 'gates', message: `unknown gate(s) ${unknown.join(', ')}; known: ${registry.names().join(', ')}` }],
    });
  }
}
