import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { AuthGuard, Scopes, TenantId } from '@stella/auth';
import { ZodValidationPipe } from '@stella/platform';
import type { Response } from 'express';
import { z } from 'zod';
import { AttestorError } from '../common/attestor-error';
import { toHttpProblem } from '../common/problems';
import { ATTESTOR_ATTESTATIONS, ATTESTOR_LOG, ATTESTOR_RECORD_ATTESTATION } from '../common/tokens';
import type { TransparencyLog } from '../log/transparency-log';
import type { AttestationRepository, AttestationRow } from './attestation.repository';
import type { RecordAttestationUseCase } from './record-attestation.usecase';

/** Never rename: clients are granted these by name. */
export const ATTEST_WRITE_SCOPE = 'attest:write';
export const ATTEST_READ_SCOPE = 'attest:read';

const PEM_CERT = /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\r?\n?$/;
const createBodySchema = z.strictObject({
  /** The DSSE envelope (validated by libs/attest). */
  envelope: z.unknown(),
  certificateChain: z
    .array(z.string().max(16_384).regex(PEM_CERT, 'expected one PEM certificate'))
    .min(1)
    .max(4)
    .optional(),
});
type CreateBody = z.infer<typeof createBodySchema>;
const listQuerySchema = z.strictObject({
  subject: z.string().regex(/^[a-z0-9]+:[A-Za-z0-9+/=._-]{1,256}$/, 'expected <algorithm>:<digest>'),
  predicateType: z.string().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

function summary(row: AttestationRow) {
  return {
    attestationId: row.attestationId,
    predicateType: row.predicateType,
    subjectDigests: row.subjectDigests,
    envelopeDigest: row.envelopeDigest,
    keyIds: row.keyIds,
    logIndex: row.logIndex,
    ...(row.decisionId ? { decisionId: row.decisionId } : {}),
    createdAt: row.createdAt.toISOString(),
  };
}

@Controller('api/v1/attestations')
@UseGuards(AuthGuard)
export class AttestationsController {
  constructor(
    @Inject(ATTESTOR_RECORD_ATTESTATION) private readonly record: RecordAttestationUseCase,
    @Inject(ATTESTOR_ATTESTATIONS)
    private readonly attestations: {
      repository: AttestationRepository;
      manager: import('typeorm').EntityManager;
    },
    @Inject(ATTESTOR_LOG) private readonly log: TransparencyLog,
  ) {}

  /** Verifies, logs and stores an attestation; answers 201, or 200 with the stored one for a repeat. */
  @Post()
  @Scopes(ATTEST_WRITE_SCOPE)
  @HttpCode(201)
  async create(
    @TenantId() tenantId: string,
    @Body(new ZodValidationPipe(createBodySchema)) body: CreateBody,
    @Res({ passthrough: true }) res: Response,
  ) {
    try {
      const recorded = await this.record.execute({
        tenantId,
        envelope: body.envelope,
        ...(body.certificateChain ? { certificateChain: body.certificateChain } : {}),
      });
      if (!recorded.created) res.status(200);
      return {
        ...summary(recorded.row),
        checkpoint: recorded.checkpointNote,
        inclusionProof: {
          index: recorded.row.logIndex,
          treeSize: recorded.row.checkpointSize,
          hashes: recorded.row.inclusionProof.map((h) => h.toString('base64')),
        },
      };
    } catch (error) {
      throw toHttpProblem(error);
    }
  }

  @Get()
  @Scopes(ATTEST_READ_SCOPE)
  async list(
    @TenantId() tenantId: string,
    @Query(new ZodValidationPipe(listQuerySchema)) query: z.infer<typeof listQuerySchema>,
  ) {
    const rows = await this.attestations.repository.bySubject(
      this.attestations.manager,
      tenantId,
      query.subject,
      query.predicateType,
      query.limit,
    );
    return { attestations: rows.map(summary) };
  }

  /** The stored attestation with everything an offline verifier needs. */
  @Get(':id')
  @Scopes(ATTEST_READ_SCOPE)
  async get(@TenantId() tenantId: string, @Param('id', new ZodValidationPipe(z.uuid())) id: string) {
    try {
      const row = await this.attestations.repository.byId(this.attestations.manager, tenantId, id);
      if (row === undefined)
        throw new AttestorError('ATTESTATION_NOT_FOUND', `no attestation ${id}`, { attestationId: id });
      const [entry, checkpoint] = await Promise.all([
        this.log.entry(row.logIndex),
        this.log.checkpointAt(row.checkpointSize),
      ]);
      return {
        ...summary(row),
        envelope: JSON.parse(entry.data.toString('utf8')) as unknown,
        certificateChain: row.certificateChain,
        checkpoint: checkpoint?.note,
        inclusionProof: {
          index: row.logIndex,
          treeSize: row.checkpointSize,
          hashes: row.inclusionProof.map((h) => h.toString('base64')),
        },
      };
    } catch (error) {
      throw toHttpProblem(error);
    }
  }
}
