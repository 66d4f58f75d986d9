import { ServiceTokenClient } from '@stella/auth';
import type { Gate } from '@stella/gates';
import {
  PolicyGate,
  type PolicyEvaluationClient,
  type PolicyEvaluationRequest,
  type PolicyEvaluationResponse,
} from '@stella/policy-engine';
import type { OrchestratorConfig } from '../../config/orchestrator-config';

/** Scope the orchestrator's token carries to the policy service. */
export const POLICY_EVALUATE_SCOPE = 'policy:evaluate';

/** An image of a release as the policy service takes it. */
export interface ReleaseComponentRef {
  name: string;
  digest: string;
  repository: string;
}

/** Reads a release's images from the orchestrator's own store (tenant-scoped). */
export type ReleaseComponentsLookup = (tenant: string, releaseId: string) => Promise<ReleaseComponentRef[]>;

/** Source of `Bearer` tokens for the policy service (tests pass a minted one). */
export interface PolicyTokens {
  authorizationHeader(): Promise<string>;
  invalidate?(): void;
}

/**
 * POST /api/v1/evaluations?include=replay at the policy service with the orchestrator's own token.
 * Every failure is `unavailable` with its reason: the gate then answers pending (fail closed).
 */
export class HttpPolicyEvaluationClient implements PolicyEvaluationClient {
  constructor(
    private readonly baseUrl: string,
    private readonly tokens: PolicyTokens,
    private readonly timeoutMs = 15_000,
    private readonly componentsOf?: ReleaseComponentsLookup,
  ) {}

  async evaluate(request: PolicyEvaluationRequest): Promise<PolicyEvaluationResponse> {
    let authorization: string;
    try {
      authorization = await this.tokens.authorizationHeader();
    } catch (error) {
      return { kind: 'unavailable', reason: `no token for the policy service (${(error as Error).message})` };
    }
    // The release's images travel with the request: the policy service must not depend on having
    // consumed release.created first (a promotion requested right after creation would wait).
    let components: ReleaseComponentRef[] | undefined;
    if (this.componentsOf) {
      try {
        components = await this.componentsOf(request.tenant, request.release.id);
      } catch (error) {
        return { kind: 'unavailable', reason: `release components unreadable (${(error as Error).message})` };
      }
    }
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl.replace(/\/+$/, '')}/api/v1/evaluations?include=replay`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          release: {
            id: request.release.id,
            name: request.release.name,
            version: request.release.version,
            createdBy: request.release.createdBy,
            ...(components && components.length > 0 ? { components } : {}),
          },
          environment: request.environment,
          approvals: request.approvals,
          evaluationTime: request.evaluationTime,
        }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      return { kind: 'unavailable', reason: `policy service unreachable (${(error as Error).message})` };
    }
    const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
    if (response.status === 401) this.tokens.invalidate?.();
    if (response.status !== 201 && response.status !== 200) {
      const detail =
        typeof body?.detail === 'string' ? body.detail : typeof body?.title === 'string' ? body.title : '';
      return {
        kind: 'unavailable',
        reason: `policy service answered ${response.status}${detail ? `: ${detail}` : ''}`,
      };
    }
    const replay = body?.replay as { policySource?: unknown; inputDocument?: unknown } | undefined;
    if (
      typeof body?.id !== 'string' ||
      typeof replay?.policySource !== 'string' ||
      typeof replay.inputDocument !== 'string'
    )
      return { kind: 'unavailable', reason: 'policy service answered without the evaluation to record' };
    return {
      kind: 'evaluated',
      evaluationId: body.id,
      policySource: replay.policySource,
      inputDocument: replay.inputDocument,
    };
  }
}

/**
 * The `policy` gate when STELLA_ORCHESTRATOR_POLICY_URL is set (an environment enables it by
 * listing `policy` in its gates). Tokens: client credentials of STELLA_ORCHESTRATOR_CLIENT_ID at
 * the authority, scope policy:evaluate. Without a secret every evaluation is pending, with that reason.
 */
export function policyGatesFor(
  config: OrchestratorConfig,
  tokens?: PolicyTokens,
  componentsOf?: ReleaseComponentsLookup,
): Gate[] {
  if (config.orchestratorPolicyUrl === undefined) return [];
  const provider: PolicyTokens =
    tokens ??
    (config.orchestratorClientSecret !== undefined && config.authorityUrl !== undefined
      ? new ServiceTokenClient({
          tokenUrl: `${config.authorityUrl.replace(/\/+$/, '')}/oauth/token`,
          clientId: config.orchestratorClientId,
          clientSecret: config.orchestratorClientSecret,
          scopes: [POLICY_EVALUATE_SCOPE],
          audience: config.tokenAudience,
        })
      : {
          authorizationHeader: () =>
            Promise.reject(
              new Error('STELLA_ORCHESTRATOR_CLIENT_SECRET (and STELLA_AUTHORITY_URL) are not set'),
            ),
        });
  return [
    new PolicyGate(
      new HttpPolicyEvaluationClient(
        config.orchestratorPolicyUrl,
        provider,
        config.orchestratorPolicyTimeoutMs,
        componentsOf,
      ),
    ),
  ];
}
