import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { AnyScope, CurrentPrincipal, type Principal } from '@stella/auth';
import { ProblemError } from '@stella/platform';
import { actorId } from '../common/actor';
import { checkParam, SHA256 } from '../common/errors';
import { POLICY_EVALUATE, POLICY_READ, POLICY_WRITE } from '../common/scopes';
import { isUpstreamError } from '../clients/upstreams';
import { BuildFindings, MissingSbomError } from './build-findings.usecase';
import { FindingsRepository, type FindingsSnapshotRow } from './findings.repository';

function view(row: FindingsSnapshotRow | { id: string; document: FindingsSnapshotRow['document'] }) {
  const doc = row.document;
  return {
    id: row.id,
    imageDigest: doc.imageDigest,
    feedSnapshotId: doc.feedSnapshotId,
    vexSnapshotId: doc.vexSnapshotId,
    sbomDigest: doc.sbomDigest,
    componentCount: doc.componentCount,
    findingCount: doc.findings.length,
    ...('createdAt' in row ? { createdAt: row.createdAt.toISOString(), cause: row.cause } : {}),
    findings: doc.findings,
  };
}

/** Turns upstream failures into 502/503 problems naming the service; a missing SBOM into 404. */
export function upstreamProblem(error: unknown): ProblemError | null {
  if (error instanceof MissingSbomError)
    return new ProblemError(404, { type: 'sbom-missing', title: 'No SBOM for the image', detail: error.message });
  if (isUpstreamError(error))
    return new ProblemError(error.code === 'NOT_CONFIGURED' || error.code === 'UNREACHABLE' ? 503 : 502, {
      type: 'upstream-unavailable',
      title: `${error.service} unavailable`,
      detail: error.message,
      service: error.service,
    });
  return null;
}

/** Findings snapshots per image digest: current, history, by id, and a rebuild on demand. */
@Controller('api/v1/findings')
export class FindingsController {
  constructor(
    private readonly build: BuildFindings,
    private readonly repository: FindingsRepository,
  ) {}

  @Get('snapshots/:id')
  @AnyScope(POLICY_READ, POLICY_EVALUATE)
  async snapshot(@Param('id') id: string) {
    const row = await this.repository.byId(checkParam(id, SHA256, 'id'));
    if (!row) throw new ProblemError(404, { type: 'snapshot-not-found', title: 'Findings snapshot not found', detail: id });
    const components = await this.repository.components([row.document.sbomDigest]);
    return { ...view(row), components: components.get(row.document.sbomDigest) ?? [] };
  }

  @Get(':digest')
  @AnyScope(POLICY_READ, POLICY_EVALUATE)
  async current(@Param('digest') digest: string) {
    const row = await this.repository.current(checkParam(digest, SHA256, 'digest'));
    if (!row)
      throw new ProblemError(404, {
        type: 'findings-not-found',
        title: 'No findings snapshot for the image',
        detail: `${digest}: POST /api/v1/findings/${digest} builds one`,
      });
    return view(row);
  }

  @Get(':digest/history')
  @AnyScope(POLICY_READ, POLICY_EVALUATE)
  async history(@Param('digest') digest: string) {
    const rows = await this.repository.history(checkParam(digest, SHA256, 'digest'), 100);
    return {
      snapshots: rows.map((r) => ({
        id: r.id,
        feedSnapshotId: r.feedSnapshotId,
        vexSnapshotId: r.vexSnapshotId,
        createdAt: r.createdAt.toISOString(),
        cause: r.cause,
      })),
    };
  }

  /** Rebuilds the image's findings now (SBOM from the scanner, matches from concelier, VEX from excititor). */
  @Post(':digest')
  @AnyScope(POLICY_WRITE, POLICY_EVALUATE)
  @HttpCode(200)
  async rebuild(@Param('digest') digest: string, @CurrentPrincipal() principal: Principal) {
    try {
      const built = await this.build.execute(checkParam(digest, SHA256, 'digest'), { kind: 'request', by: actorId(principal) });
      return view(built);
    } catch (error) {
      throw upstreamProblem(error) ?? error;
    }
  }
}
