import { DecisionRecordV1Schema } from '@stella/attest';
import { canonicalize, contentId, sha256Digest } from '@stella/canonical';
import { pushTestImage, type PushedTestImage } from '@stella/testing';
import { connect } from 'nats';
import { ManualClock } from '../src/common/clock';
import { startOrchestrator, user, type OrchestratorHarness } from './orchestrator-harness';

const FROZEN_AT = '2030-03-01T10:00:00.000Z';
const prodFreeze = { kind: 'range', name: 'quarter-close', start: '2030-03-01T00:00:00Z', end: '2030-03-02T00:00:00Z', reason: 'Q1 close' };

describe('promotions: gates, approvals, decisions, inventory, audit', () => {
  let h: OrchestratorHarness;
  let clock: ManualClock;
  let image: PushedTestImage;
  const alice = user('alice', { roles: ['release-manager'] });
  const bob = user('bob', { roles: ['release-manager'] });
  const carol = user('carol', { roles: ['release-manager'] });

  async function createRelease(version: string, as = user('ci-bot')) {
    const res = await h.api('POST', '/api/v1/releases', {
      as,
      body: { name: 'shop', version, components: [{ name: 'api', repository: `${h.registry.host}/acme/api`, tag: '1.0.0' }] },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; name: string; version: string };
  }

  async function promote(releaseId: string, environment: string, as = alice, extra: Record<string, unknown> = {}) {
    return h.api('POST', '/api/v1/promotions', { as, body: { release: { id: releaseId }, environment, ...extra } });
  }

  async function deployed(promotionId: string) {
    const res = await h.api('POST', `/api/v1/promotions/${promotionId}/deployment`, { body: { status: 'deployed' } });
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('deployed');
    return res.body;
  }

  beforeAll(async () => {
    clock = new ManualClock(new Date('2030-02-27T09:00:00.000Z'));
    h = await startOrchestrator({ clock });
    image = await pushTestImage(h.registry, { repo: 'acme/api', tag: '1.0.0', files: { 'app.txt': 'v1' } });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('gives a new tenant the default path dev -> stage -> prod, prod needing two approvals', async () => {
    const res = await h.api('GET', '/api/v1/environments');
    expect(res.status).toBe(200);
    expect(res.body.path).toMatchObject({ environments: ['dev', 'stage', 'prod'], allowSkip: false });
    expect(res.body.items.find((e: { name: string }) => e.name === 'prod').policy.approvals.required).toBe(2);
  });

  it('promotes through dev and stage, refuses a skip, then lands in prod after the freeze with two distinct approvals', async () => {
    const release = await createRelease('1.0.0');

    const skip = await promote(release.id, 'stage');
    expect(skip.status).toBe(409);
    expect(skip.body).toMatchObject({ code: 'PROMOTION_SKIPS_ENVIRONMENT', requiredEnvironment: 'dev', state: 'rejected' });
    const denied = await h.api('GET', `/api/v1/decisions/${skip.body.decisionId}`);
    expect(denied.body.verdict).toBe('deny');

    const dev = await promote(release.id, 'dev');
    expect(dev.status).toBe(201);
    expect(dev.body.transitions.map((t: { to: string }) => t.to)).toEqual(['requested', 'evaluating', 'approved', 'deploying']);
    await deployed(dev.body.id);

    const stage = await promote(release.id, 'stage');
    expect(stage.body.state).toBe('deploying');
    await deployed(stage.body.id);

    const freeze = await h.api('PATCH', '/api/v1/environments/prod', { body: { freezeWindows: [prodFreeze] } });
    expect(freeze.status).toBe(200);
    clock.set(FROZEN_AT);
    const frozen = await promote(release.id, 'prod');
    expect(frozen.status).toBe(409);
    expect(frozen.body).toMatchObject({
      code: 'ENVIRONMENT_FROZEN',
      environment: 'prod',
      window: { name: 'quarter-close', start: '2030-03-01T00:00:00.000Z', end: '2030-03-02T00:00:00.000Z', reason: 'Q1 close' },
    });

    clock.set('2030-03-02T08:00:00.000Z');
    const prod = await promote(release.id, 'prod');
    expect(prod.status).toBe(201);
    expect(prod.body.state).toBe('awaiting_approval');
    const streamed = fetch(`${h.url}/api/v1/promotions/${prod.body.id}/transitions/stream?afterSeq=2`, {
      headers: { authorization: `Bearer ${await h.token()}` },
    }).then(async (res) => ({ type: res.headers.get('content-type'), text: await res.text() }));
    expect(prod.body.lastEvaluation.gates.find((g: { name: string }) => g.name === 'approvals')).toMatchObject({
      result: 'pending',
      reasons: ['0 of 2 required approvals'],
    });

    const byRequester = await h.api('POST', `/api/v1/promotions/${prod.body.id}/approvals`, { as: alice, body: {} });
    expect(byRequester.status).toBe(403);
    expect(byRequester.body).toMatchObject({ code: 'SEPARATION_OF_DUTIES', rule: 'separation-of-duties', violation: 'requester-approves' });
    const byCreator = await h.api('POST', `/api/v1/promotions/${prod.body.id}/approvals`, { as: user('ci-bot'), body: {} });
    expect(byCreator.status).toBe(403);
    expect(byCreator.body.violation).toBe('release-creator-approves');

    const first = await h.api('POST', `/api/v1/promotions/${prod.body.id}/approvals`, { as: bob, body: { comment: 'looks good' } });
    expect(first.status).toBe(201);
    expect(first.body.state).toBe('awaiting_approval');
    const twice = await h.api('POST', `/api/v1/promotions/${prod.body.id}/approvals`, { as: bob, body: {} });
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'DUPLICATE_APPROVAL', rule: 'distinct-approvers' });

    const second = await h.api('POST', `/api/v1/promotions/${prod.body.id}/approvals`, { as: carol, body: {} });
    expect(second.status).toBe(201);
    expect(second.body.state).toBe('deploying');
    expect(second.body.approvals.map((a: { approver: string }) => a.approver)).toEqual(['user:bob', 'user:carol']);
    const done = await deployed(prod.body.id);
    expect(done.transitions.map((t: { to: string }) => t.to)).toEqual([
      'requested',
      'evaluating',
      'awaiting_approval',
      'approved',
      'deploying',
      'deployed',
    ]);

    const sse = await streamed;
    expect(sse.type).toContain('text/event-stream');
    const sseStates = [...sse.text.matchAll(/^data: (.*)$/gm)].map((m) => (JSON.parse(m[1]!) as { to: string }).to);
    expect(sseStates).toEqual(['awaiting_approval', 'approved', 'deploying', 'deployed']);

    const inventory = await h.api('GET', '/api/v1/inventory');
    expect(inventory.body.environments.map((e: { name: string; running?: { release: { version: string } } }) => [e.name, e.running?.release.version])).toEqual([
      ['dev', '1.0.0'],
      ['stage', '1.0.0'],
      ['prod', '1.0.0'],
    ]);
    const where = await h.api('GET', `/api/v1/inventory/digests/${image.digest}`);
    expect(where.body.deployments.map((d: { environment: string }) => d.environment)).toEqual(['dev', 'prod', 'stage']);
    const before = await h.api('GET', '/api/v1/inventory?at=2030-02-27T08:00:00.000Z');
    expect(before.body.environments.every((e: { running?: unknown }) => e.running === undefined)).toBe(true);

    const decision = await h.api('GET', `/api/v1/decisions/${second.body.decisionId}`);
    expect(decision.body.verdict).toBe('allow');
    const record = DecisionRecordV1Schema.parse(decision.body.record);
    expect(record).toMatchObject({ releaseManifestDigest: release.id, environment: 'prod', tenant: 'acme', verdict: 'allow' });
    expect(record.approvals.map((a) => a.identity)).toEqual(['user:bob', 'user:carol']);
    expect(record.gates.map((g) => [g.name, g.result])).toEqual([
      ['previous-environment', 'pass'],
      ['freeze-window', 'pass'],
      ['approvals', 'pass'],
    ]);
    const { decisionId, ...body } = record;
    expect(decisionId).toBe(contentId('dec', body));
    expect(decision.body.recordDigest).toBe(sha256Digest(canonicalize(record)));
  });

  it('lets break-glass through a freeze only with the dedicated scope, and records it', async () => {
    const release = await createRelease('1.1.0');
    for (const env of ['dev', 'stage']) {
      const p = await promote(release.id, env);
      await deployed(p.body.id);
    }
    clock.set(FROZEN_AT);
    const withoutScope = await promote(release.id, 'prod', alice, { breakGlass: { reason: 'sev1 outage fix INC-42' } });
    expect(withoutScope.status).toBe(403);
    expect(withoutScope.body.code).toBe('BREAK_GLASS_SCOPE_REQUIRED');
    const glass = await promote(release.id, 'prod', { ...alice, scope: 'release:promote release:break-glass' }, {
      breakGlass: { reason: 'sev1 outage fix INC-42' },
    });
    expect(glass.status).toBe(201);
    expect(glass.body.breakGlass).toMatchObject({ by: 'user:alice', reason: 'sev1 outage fix INC-42' });
    expect(glass.body.lastEvaluation.gates.find((g: { name: string }) => g.name === 'freeze-window')).toMatchObject({
      result: 'warn',
      reasons: [expect.stringContaining('quarter-close'), 'break-glass by user:alice: sev1 outage fix INC-42'],
    });
    const audit = await h.api('GET', '/api/v1/audit?limit=1000');
    const requested = audit.body.items.find((e: { action: string; subject: { id: string } }) => e.action === 'promotion.requested' && e.subject.id === glass.body.id);
    expect(requested.data.breakGlass.reason).toBe('sev1 outage fix INC-42');
    const cancel = await h.api('POST', `/api/v1/promotions/${glass.body.id}/cancellation`, { body: { reason: 'not needed' } });
    expect(cancel.body.state).toBe('cancelled');
    clock.set('2030-03-03T08:00:00.000Z');
  });

  it('answers 404 for an unknown environment or release, and a promotion of another tenant is invisible', async () => {
    const release = await createRelease('1.2.0');
    const noEnv = await promote(release.id, 'qa');
    expect(noEnv.status).toBe(404);
    expect(noEnv.body.code).toBe('ENVIRONMENT_NOT_FOUND');
    const noRelease = await promote(`sha256:${'a'.repeat(64)}`, 'dev');
    expect(noRelease.status).toBe(404);
    expect(noRelease.body.code).toBe('RELEASE_NOT_FOUND');
    const mine = await promote(release.id, 'dev');
    const theirs = await h.api('GET', `/api/v1/promotions/${mine.body.id}`, { as: { tenant: 'globex' } });
    expect(theirs.status).toBe(404);
    const approve = await h.api('POST', `/api/v1/promotions/${mine.body.id}/approvals`, { as: { tenant: 'globex', sub: 'mallory' }, body: {} });
    expect(approve.status).toBe(404);
    const report = await h.api('POST', `/api/v1/promotions/${mine.body.id}/deployment`, { as: { tenant: 'globex' }, body: { status: 'deployed' } });
    expect(report.status).toBe(404);
    expect((await h.api('GET', '/api/v1/inventory', { as: { tenant: 'globex' } })).body.environments.every((e: { running?: unknown }) => !e.running)).toBe(true);
    await deployed(mine.body.id);
  });

  it('deploys one promotion at a time per environment: the next approved one waits for the slot', async () => {
    const a = await createRelease('2.0.0');
    const b = await createRelease('2.0.1');
    const first = await promote(a.id, 'dev');
    const second = await promote(b.id, 'dev');
    expect(first.body.state).toBe('deploying');
    expect(second.body.state).toBe('approved');
    const running = await h.sql<{ n: number }>("SELECT count(*)::int AS n FROM promotions WHERE environment = 'dev' AND state = 'deploying'");
    expect(running[0]!.n).toBe(1);
    await deployed(first.body.id);
    const next = await h.api('GET', `/api/v1/promotions/${second.body.id}`);
    expect(next.body.state).toBe('deploying');
    await deployed(second.body.id);
    await expect(
      h.sql(`UPDATE promotions SET state = 'deploying' WHERE id IN ($1, $2)`, [first.body.id, second.body.id]),
    ).rejects.toThrow(/promotions_one_deploying_key/);
  });

  it('counts concurrent approvals one after the other: exactly one decides', async () => {
    const release = await createRelease('3.0.0');
    for (const env of ['dev', 'stage']) await deployed((await promote(release.id, env)).body.id);
    const prod = await promote(release.id, 'prod');
    expect(prod.body.state).toBe('awaiting_approval');
    const results = await Promise.all(
      [bob, carol].map((as) => h.api('POST', `/api/v1/promotions/${prod.body.id}/approvals`, { as, body: {} })),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201]);
    expect(results.map((r) => r.body.state).sort()).toEqual(['awaiting_approval', 'deploying']);
    const decisions = await h.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM promotion_transitions WHERE promotion_id = $1 AND to_state = 'approved'",
      [prod.body.id],
    );
    expect(decisions[0]!.n).toBe(1);
  });

  it('makes a retried approval with the same Idempotency-Key safe, even when both arrive at once', async () => {
    const release = await createRelease('3.1.0');
    for (const env of ['dev', 'stage']) await deployed((await promote(release.id, env)).body.id);
    const prod = await promote(release.id, 'prod');
    const send = () =>
      h.api('POST', `/api/v1/promotions/${prod.body.id}/approvals`, { as: bob, body: { comment: 'ok' }, headers: { 'idempotency-key': `approve-${prod.body.id}` } });
    const [x, y] = await Promise.all([send(), send()]);
    expect([x.status, y.status]).toEqual([201, 201]);
    expect(x.body).toEqual(y.body);
    expect([x.headers.get('idempotent-replayed'), y.headers.get('idempotent-replayed')].filter(Boolean)).toEqual(['true']);
    const approvals = await h.sql<{ n: number }>('SELECT count(*)::int AS n FROM approvals WHERE promotion_id = $1', [prod.body.id]);
    expect(approvals[0]!.n).toBe(1);
  });

  it('rolls back to the release that ran before, through the same gates, recorded as a rollback', async () => {
    const before = await h.api('GET', '/api/v1/inventory');
    const running = before.body.environments.find((e: { name: string }) => e.name === 'dev').running.release.version;
    const rollback = await h.api('POST', '/api/v1/environments/dev/rollback', { body: { comment: 'bad build' } });
    expect(rollback.status).toBe(201);
    expect(rollback.body.kind).toBe('rollback');
    await deployed(rollback.body.id);
    const after = await h.api('GET', '/api/v1/inventory');
    const now = after.body.environments.find((e: { name: string }) => e.name === 'dev').running;
    expect(now.release.version).not.toBe(running);
    expect(now.kind).toBe('rollback');
    const history = await h.api('GET', '/api/v1/environments/dev/history?limit=2');
    expect(history.body.items[0].kind).toBe('rollback');
    expect(history.body.items[1].supersededAt).toBeDefined();
  });

  it('publishes every transition and decision through the outbox to JetStream', async () => {
    const rows = await h.sql<{ event_type: string; n: number }>(
      'SELECT event_type, count(*)::int AS n FROM stella_outbox GROUP BY event_type ORDER BY event_type',
    );
    const counts = Object.fromEntries(rows.map((r) => [r.event_type, r.n]));
    const transitions = await h.sql<{ to_state: string; n: number }>('SELECT to_state, count(*)::int AS n FROM promotion_transitions GROUP BY to_state');
    for (const t of transitions) expect(counts[`stella.orchestrator.promotion.${t.to_state}`]).toBe(t.n);
    const decisions = await h.sql<{ n: number }>('SELECT count(*)::int AS n FROM promotions WHERE decision_id IS NOT NULL');
    expect(counts['stella.orchestrator.decision.recorded']).toBe(decisions[0]!.n);
    const total = rows.reduce((sum, r) => sum + r.n, 0);
    const nc = await connect({ servers: h.nats.servers });
    try {
      const jsm = await nc.jetstreamManager();
      let inStream = 0;
      for (let i = 0; i < 100 && inStream < total; i += 1) {
        inStream = (await jsm.streams.info(`${h.nats.streamPrefix}_ORCHESTRATOR`)).state.messages;
        if (inStream < total) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(inStream).toBe(total);
      const last = await jsm.streams.getMessage(`${h.nats.streamPrefix}_ORCHESTRATOR`, { last_by_subj: `${h.nats.prefix}.orchestrator.decision.recorded` });
      const event = last.json<{ type: string; data: { record: unknown } }>();
      expect(event.type).toBe('stella.orchestrator.decision.recorded');
      expect(DecisionRecordV1Schema.safeParse(event.data.record).success).toBe(true);
    } finally {
      await nc.close();
    }
  });

  it('verifies the audit chain, and names the first entry a DBA tampered with', async () => {
    const ok = await h.api('GET', '/api/v1/audit/verify');
    expect(ok.body).toMatchObject({ valid: true, tenant: 'acme' });
    expect(ok.body.entriesChecked).toBeGreaterThan(20);
    await expect(h.sql("UPDATE audit_log SET actor = 'user:mallory' WHERE seq = 5")).rejects.toThrow(/immutable/);
    await h.sql("SET session_replication_role = replica");
    await h.sql("UPDATE audit_log SET content = replace(content, 'user:alice', 'user:mallory') WHERE tenant_id = 'acme' AND seq = (SELECT min(seq) FROM audit_log WHERE tenant_id = 'acme' AND content LIKE '%user:alice%')");
    await h.sql("SET session_replication_role = origin");
    const [tampered] = await h.sql<{ seq: string }>("SELECT seq FROM audit_log WHERE tenant_id = 'acme' AND content LIKE '%user:mallory%'");
    const broken = await h.api('GET', '/api/v1/audit/verify');
    expect(broken.body.valid).toBe(false);
    expect(broken.body.firstBroken).toMatchObject({ seq: Number(tampered!.seq), reason: 'content-digest-mismatch' });
    const other = await h.api('GET', '/api/v1/audit/verify', { as: { tenant: 'globex' } });
    expect(other.body.valid).toBe(true);
  });
});
