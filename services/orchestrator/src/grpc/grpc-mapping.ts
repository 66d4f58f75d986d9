import * as grpc from '@grpc/grpc-js';
import { AuthError, authErrorStatus } from '@stella/auth';
import { grpcInternalError, grpcServiceError, grpcStatusOfHttp } from '@stella/platform';
import type { AuditVerification } from '../audit/audit-chain';
import { OrchestratorError, type SerializedError } from '../common/errors';
import type { DeploymentView } from '../inventory/inventory.repository';
import type { Outcome } from '../persistence/unit-of-work';
import type { PromotionView, TransitionView } from '../promotions/promotion.model';
import type { ReleaseView } from '../releases/release.model';

/** A refusal as a gRPC status with `stella-error-code` and JSON `stella-error-details-bin` trailers. */
export function toServiceError(error: unknown): Partial<grpc.ServiceError> {
  if (error instanceof OrchestratorError)
    return grpcServiceError(grpc.status[error.grpcStatus], error.code, error.message, error.details);
  if (error instanceof AuthError)
    return grpcServiceError(grpcStatusOfHttp(authErrorStatus(error.code)), error.code, error.message);
  return grpcInternalError();
}

export function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw OrchestratorError.fromJSON(outcome.error as SerializedError);
  return outcome.value;
}

/** Drops proto3 defaults ('' and unset optionals) so commands see "absent", not "empty". */
export function present<T>(value: T | null | undefined): T | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  return value;
}

export function releaseMessage(release: ReleaseView) {
  return {
    id: release.id,
    name: release.name,
    version: release.version,
    manifestDigest: release.manifestDigest,
    components: release.components,
    origin: release.origin,
    createdAt: release.createdAt,
    createdBy: release.createdBy,
  };
}

export function transitionMessage(t: TransitionView) {
  return {
    seq: t.seq,
    fromState: t.from ?? '',
    toState: t.to,
    at: t.at,
    actor: t.actor,
    ...(t.reason === undefined ? {} : { reason: t.reason }),
    ...(t.decisionId === undefined ? {} : { decisionId: t.decisionId }),
  };
}

export function promotionMessage(p: PromotionView) {
  return {
    id: p.id,
    kind: p.kind,
    state: p.state,
    release: p.release,
    environment: p.environment,
    requestedBy: p.requestedBy,
    requestedAt: p.requestedAt,
    ...(p.decisionId === undefined ? {} : { decisionId: p.decisionId }),
    gates: p.lastEvaluation?.gates ?? [],
    approvals: p.approvals,
    transitions: p.transitions.map(transitionMessage),
    updatedAt: p.updatedAt,
  };
}

export function deploymentMessage(d: DeploymentView) {
  return {
    environment: d.environment,
    release: d.release,
    promotionId: d.promotionId,
    kind: d.kind,
    deployedAt: d.deployedAt,
    components: d.components.map((c) => ({ ...c, mediaType: '', platforms: [] })),
  };
}

export function auditMessage(v: AuditVerification) {
  return {
    valid: v.valid,
    entriesChecked: v.entriesChecked,
    headSeq: v.headSeq,
    headHash: v.headHash,
    ...(v.firstBroken ? { firstBroken: v.firstBroken } : {}),
  };
}
