import { Inject, Injectable } from '@nestjs/common';
import { ProblemError, STELLA_CONFIG } from '@stella/platform';
import { compilePolicy, isPolicyError, type CompiledPolicy } from '@stella/policy-engine';
import { POLICY_CLOCK, type Clock } from '../../common/ports';
import type { PolicyConfig } from '../../config/policy-config';
import { PoliciesRepository, type PolicyVersionRow } from '../policies.repository';

export interface UploadPolicyCommand {
  tenantId: string;
  actor: string;
  /** The policy document: YAML (or JSON) text. */
  source: string;
}

/** A PolicyError as problem+json: 422 with every problem the engine found (`errors: [{path, message}]`). */
export function policyProblem(error: unknown): ProblemError | null {
  if (!isPolicyError(error)) return null;
  return new ProblemError(422, {
    type: 'invalid-policy',
    title: 'Invalid policy',
    detail: error.message,
    code: error.code,
    errors: error.problems.map((p) => ({ path: p.path, message: p.message })),
  });
}

/**
 * Validates and compiles a policy document at upload (unknown gates, wrong types and CEL that
 * does not compile are refused now, not at promotion time) and stores it as an immutable version.
 * Uploading the same name and version again is idempotent with the same content, 409 otherwise.
 */
@Injectable()
export class UploadPolicy {
  constructor(
    @Inject(STELLA_CONFIG) private readonly config: PolicyConfig,
    @Inject(POLICY_CLOCK) private readonly clock: Clock,
    private readonly repository: PoliciesRepository,
  ) {}

  async execute(command: UploadPolicyCommand): Promise<{ row: PolicyVersionRow; compiled: CompiledPolicy; created: boolean }> {
    if (Buffer.byteLength(command.source, 'utf8') > this.config.policyMaxDocumentBytes)
      throw new ProblemError(413, {
        type: 'policy-too-large',
        title: 'Policy document too large',
        detail: `at most ${this.config.policyMaxDocumentBytes} bytes`,
      });
    let compiled: CompiledPolicy;
    try {
      compiled = compilePolicy(command.source);
    } catch (error) {
      throw policyProblem(error) ?? error;
    }
    const { row, created } = await this.repository.insert({
      tenantId: command.tenantId,
      name: compiled.name,
      version: compiled.version,
      policyHash: compiled.policyHash,
      source: command.source,
      description: compiled.document.metadata.description ?? null,
      createdAt: this.clock.now(),
      createdBy: command.actor,
    });
    if (!created && row.policyHash !== compiled.policyHash)
      throw new ProblemError(409, {
        type: 'policy-version-exists',
        title: 'Policy version exists with other content',
        detail: `${compiled.name} ${compiled.version} is stored as ${row.policyHash}; versions are immutable: upload a new version`,
      });
    return { row, compiled, created };
  }
}
