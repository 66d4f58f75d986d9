import * as grpc from '@grpc/grpc-js';
import { pushTestImage, type PushedTestImage } from '@stella/testing';
import { ManualClock } from '../src/common/clock';
import { ciClient, errorCode, errorDetails, type CiClient } from './grpc-client';
import { startOrchestrator, user, type OrchestratorHarness } from './orchestrator-harness';

/**
 * The "Done means", as a CI system would run it with gRPC only (an operator configured
 * the prod freeze window beforehand over REST): create a release from tags, promote dev -> stage,
 * be refused in prod during the freeze and by separation of duties, get two distinct approvals
 * after the window, land in prod, read the inventory, verify the audit chain, detect tampering.
 */
describe('CI over gRPC: from tags to prod', () => {
  let h: OrchestratorHarness;
  let ci: CiClient;
  let clock: ManualClock;
  let api: PushedTestImage;
  let web: PushedTestImage;
  let ciToken: string;

  beforeAll(async () => {
    clock = new ManualClock(new Date('2030-06-30T12:00:00.000Z'));
    h = await startOrchestrator({ clock });
    ci = ciClient(h.grpcPort);
    api = await pushTestImage(h.registry, { repo: 'shop/api', tag: '1.4.2', files: { 'api.txt': 'api' } });
    web = await pushTestImage(h.registry, {
      repo: 'shop/web',
      tag: '2.0.0',
      files: { 'web.txt': 'web' },
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64' },
      ],
    });
    ciToken = await h.token({ sub: 'ci-pipeline', scope: 'release:read release:write release:promote release:approve deploy:write audit:read' });
    const freeze = await h.api('PATCH', '/api/v1/environments/prod', {
      body: { freezeWindows: [{ kind: 'recurring', name: 'month-end', cron: '0 0 1 * *', durationMinutes: 24 * 60, reason: 'month-end close' }] },
    });
    expect(freeze.status).toBe(200);
  });

  afterAll(async () => {
    ci?.close();
    await h?.close();
  });

  async function deploy(promotionId: string) {
    const done = await ci.call('reportDeployment', { promotionId, status: 'deployed' }, ciToken);
    expect(done.state).toBe('deployed');
  }

  it('runs the whole path and every refusal with gRPC alone', async () => {
    const release = await ci.call(
      'createRelease',
      {
        name: 'shop',
        version: '1.4.2',
        components: [
          { name: 'api', repository: `${h.registry.host}/shop/api`, tag: '1.4.2' },
          { name: 'web', repository: `${h.registry.host}/shop/web`, tag: '2.0.0' },
        ],
      },
      ciToken,
      { 'idempotency-key': 'ci-run-1-release' },
    );
    expect(release.components.map((c: { digest: string }) => c.digest)).toEqual([api.digest, web.digest]);
    expect(release.components[1].platforms).toHaveLength(2);
    const again = await ci.call('createRelease', { name: 'shop', version: '1.4.2', components: [{ name: 'api', tag: '1.4.2' }, { name: 'web', tag: '2.0.0' }] }, ciToken, {
      'idempotency-key': 'ci-run-1-release-other',
    }).catch((e: unknown) => e);
    expect((again as grpc.ServiceError).code).toBe(grpc.status.ALREADY_EXISTS);

    for (const environment of ['dev', 'stage']) {
      const promotion = await ci.call('requestPromotion', { release: { id: release.id }, environment }, ciToken);
      expect(promotion.state).toBe('deploying');
      await deploy(promotion.id);
      const watched = await ci.watch(promotion.id, ciToken);
      expect(watched.map((t) => t.toState)).toEqual(['requested', 'evaluating', 'approved', 'deploying', 'deployed']);
    }

    clock.set('2030-07-01T09:00:00.000Z');
    const frozen = await ci.call('requestPromotion', { release: { nameVersion: { name: 'shop', version: '1.4.2' } }, environment: 'prod' }, ciToken).catch((e: unknown) => e);
    expect((frozen as grpc.ServiceError).code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(errorCode(frozen)).toBe('ENVIRONMENT_FROZEN');
    expect(errorDetails(frozen)).toMatchObject({
      window: { name: 'month-end', start: '2030-07-01T00:00:00.000Z', end: '2030-07-02T00:00:00.000Z' },
    });

    clock.set('2030-07-02T06:00:00.000Z');
    const prod = await ci.call('requestPromotion', { release: { id: release.id }, environment: 'prod' }, ciToken);
    expect(prod.state).toBe('awaiting_approval');
    const watching = ci.watch(prod.id, ciToken);

    const selfApproval = await ci.call('approvePromotion', { promotionId: prod.id }, ciToken).catch((e: unknown) => e);
    expect((selfApproval as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);
    expect(errorCode(selfApproval)).toBe('SEPARATION_OF_DUTIES');
    expect(errorDetails(selfApproval)).toMatchObject({ rule: 'separation-of-duties' });

    const approverScope = 'release:read release:approve';
    const first = await ci.call('approvePromotion', { promotionId: prod.id, comment: 'ok' }, await h.token(user('dana', { scope: approverScope })));
    expect(first.state).toBe('awaiting_approval');
    const second = await ci.call('approvePromotion', { promotionId: prod.id }, await h.token(user('erik', { scope: approverScope })));
    expect(second.state).toBe('deploying');
    expect(second.approvals.map((a: { approver: string }) => a.approver)).toEqual(['user:dana', 'user:erik']);
    await deploy(prod.id);
    const transitions = await watching;
    expect(transitions.map((t) => t.toState)).toEqual(['requested', 'evaluating', 'awaiting_approval', 'approved', 'deploying', 'deployed']);
    expect(transitions.map((t) => t.seq)).toEqual([1, 2, 3, 4, 5, 6]);

    const inventory = await ci.call('getInventory', {}, ciToken);
    expect(inventory.deployments.map((d: { environment: string; release: { version: string } }) => [d.environment, d.release.version])).toEqual([
      ['dev', '1.4.2'],
      ['stage', '1.4.2'],
      ['prod', '1.4.2'],
    ]);
    const armDigest = (web.platforms ?? []).find((p) => p.platform.architecture === 'arm64')!.digest;
    const whereArm = await ci.call('getInventory', { digest: armDigest }, ciToken);
    expect(whereArm.deployments).toHaveLength(3);

    const audit = await ci.call('verifyAuditChain', {}, ciToken);
    expect(audit.valid).toBe(true);
    await h.sql('SET session_replication_role = replica');
    await h.sql("DELETE FROM audit_log WHERE tenant_id = 'acme' AND seq = 7");
    await h.sql('SET session_replication_role = origin');
    const broken = await ci.call('verifyAuditChain', {}, ciToken);
    expect(broken.valid).toBe(false);
    expect(broken.firstBroken).toMatchObject({ seq: 7, reason: 'sequence-gap' });
  });

  it('authenticates, scope-checks and tenant-isolates every call', async () => {
    const anonymous = await ci.call('listReleases', {}, '').catch((e: unknown) => e);
    expect((anonymous as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
    const readOnly = await ci.call('requestPromotion', { release: { nameVersion: { name: 'shop', version: '1.4.2' } }, environment: 'dev' }, await h.token({ scope: 'release:read' })).catch((e: unknown) => e);
    expect((readOnly as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);
    const globex = await h.token({ tenant: 'globex' });
    const other = await ci.call('getRelease', { nameVersion: { name: 'shop', version: '1.4.2' } }, globex).catch((e: unknown) => e);
    expect((other as grpc.ServiceError).code).toBe(grpc.status.NOT_FOUND);
    expect((await ci.call('listReleases', {}, globex)).releases).toEqual([]);
    const invalid = await ci.call('createRelease', { name: 'shop', version: 'not-semver', components: [{ name: 'api', tag: '1' }] }, ciToken).catch((e: unknown) => e);
    expect((invalid as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(errorCode(invalid)).toBe('VALIDATION_FAILED');
  });
});
