import { ExportError } from '../common/export-error';
import type { TokenProvider } from './signer-client';

/** The bodies of one stored policy evaluation: exact policy text and RFC 8785 input document. */
export interface PolicyEvaluationBodies {
  policySource: string;
  inputDocument: string;
}

/**
 * What the export service reads from the policy service: the policy source and canonical input of
 * an evaluation a decision's `policy` gate references (immutable: GET /api/v1/evaluations/:id/policy
 * and /:id/input, scope `policy:read`). The caller checks them against the recorded digests.
 */
export interface PolicyEvidenceClient {
  evaluationBodies(tenantId: string, evaluationId: string): Promise<PolicyEvaluationBodies>;
}

export class HttpPolicyEvidenceClient implements PolicyEvidenceClient {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly tokens: TokenProvider,
    private readonly timeoutMs = 30_000,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  async evaluationBodies(tenantId: string, evaluationId: string): Promise<PolicyEvaluationBodies> {
    // The policy service answers the token's tenant only: a packet never holds another tenant's policy.
    const tenant = await this.tokenTenant();
    if (tenant !== undefined && tenant !== tenantId) {
      throw new ExportError('POLICY_UNAVAILABLE', `the export client's token is for tenant ${tenant}, not ${tenantId}: evaluation ${evaluationId} cannot be read`, { evaluationId });
    }
    const path = `/api/v1/evaluations/${encodeURIComponent(evaluationId)}`;
    const [policySource, inputDocument] = await Promise.all([this.text(`${path}/policy`, evaluationId), this.text(`${path}/input`, evaluationId)]);
    return { policySource, inputDocument };
  }

  private async text(path: string, evaluationId: string): Promise<string> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        headers: { authorization: `Bearer ${await this.tokens.getToken()}` },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      throw new ExportError('POLICY_UNAVAILABLE', `the policy service did not answer ${path}`, { evaluationId }, { cause });
    }
    if (response.status === 401) this.tokens.invalidate?.();
    if (!response.ok) {
      throw new ExportError('POLICY_UNAVAILABLE', `the policy service answered ${response.status} to ${path}`, {
        evaluationId,
        status: response.status,
        body: (await response.text()).slice(0, 512),
      });
    }
    // Exact bytes as UTF-8 text: the digests are over them.
    return Buffer.from(await response.arrayBuffer()).toString('utf8');
  }

  private async tokenTenant(): Promise<string | undefined> {
    try {
      const payload = (await this.tokens.getToken()).split('.')[1] ?? '';
      return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { tenant?: string }).tenant;
    } catch {
      return undefined;
    }
  }
}
