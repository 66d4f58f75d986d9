import { randomUUID } from 'node:crypto';
import { pushTestImage } from '@stella/testing';
import { startOrchestrator, type OrchestratorHarness } from './orchestrator-harness';

const SECRET = 'registry-notify-secret-0123456789abcdef';

function pushEvent(host: string, repository: string, tag: string, digest: string, id = randomUUID()) {
  return {
    id,
    timestamp: new Date().toISOString(),
    action: 'push',
    target: {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest,
      repository,
      url: `http://${host}/v2/${repository}/manifests/${digest}`,
      tag,
    },
    request: { id: randomUUID(), addr: '127.0.0.1:40000', host, method: 'PUT', useragent: 'skopeo' },
    actor: {},
    source: { addr: host, instanceID: randomUUID() },
  };
}

describe('registry notification intake and environment administration', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await startOrchestrator({ overrides: { orchestratorIntakeCredentials: { acme: SECRET } } });
  });

  afterAll(async () => {
    await h?.close();
  });

  async function notify(body: unknown, secret = SECRET) {
    const res = await fetch(`${h.url}/api/v1/intake/registry-notifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/vnd.docker.distribution.events.v1+json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  it('turns a SemVer tag pushed to an auto-release component into a release, once', async () => {
    const component = await h.api('POST', '/api/v1/components', {
      body: { name: 'billing', repository: `${h.registry.host}/acme/billing`, autoRelease: true },
    });
    expect(component.status).toBe(201);
    const image = await pushTestImage(h.registry, { repo: 'acme/billing', tag: 'v3.1.4', files: { 'b.txt': 'billing' } });
    const event = pushEvent(h.registry.host, 'acme/billing', 'v3.1.4', image.digest);
    const first = await notify({ events: [event] });
    expect(first.status).toBe(202);
    expect(first.body.created).toEqual([expect.objectContaining({ name: 'billing', version: '3.1.4' })]);
    const release = await h.api('GET', '/api/v1/releases/billing/versions/3.1.4');
    expect(release.body).toMatchObject({ origin: 'registry-notification', createdBy: 'system:registry-intake' });
    expect(release.body.components[0]).toMatchObject({ digest: image.digest, tag: 'v3.1.4' });
    const duplicate = await notify({ events: [event] });
    expect(duplicate.body.ignored).toEqual([{ eventId: event.id, reason: 'duplicate' }]);
  });

  it('refuses a forged notification: wrong secret, or a digest the tag does not point to', async () => {
    const image = await pushTestImage(h.registry, { repo: 'acme/billing', tag: '3.2.0', files: { 'b.txt': 'billing 3.2' } });
    const wrongSecret = await notify({ events: [pushEvent(h.registry.host, 'acme/billing', '3.2.0', image.digest)] }, 'not-the-secret-but-long-enough');
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body.code).toBe('INTAKE_UNAUTHORIZED');
    const noAuth = await fetch(`${h.url}/api/v1/intake/registry-notifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"events":[]}' });
    expect(noAuth.status).toBe(401);
    const forged = await notify({ events: [pushEvent(h.registry.host, 'acme/billing', '3.2.0', `sha256:${'b'.repeat(64)}`)] });
    expect(forged.status).toBe(202);
    expect(forged.body.created).toEqual([]);
    expect(forged.body.ignored[0]).toMatchObject({ reason: 'unresolvable', detail: expect.stringContaining('TAG_DIGEST_MISMATCH') });
    expect((await h.api('GET', '/api/v1/releases/billing/versions/3.2.0')).status).toBe(404);
    const notSemver = await notify({ events: [pushEvent(h.registry.host, 'acme/billing', 'latest', image.digest)] });
    expect(notSemver.body.ignored[0].reason).toBe('not_semver');
    const malformed = await notify({ events: 'nope' });
    expect(malformed.status).toBe(400);
  });

  it('creates environments, reorders the path, and refuses invalid policies', async () => {
    const qa = await h.api('POST', '/api/v1/environments', {
      body: { name: 'qa', displayName: 'QA', position: 1, approvals: { required: 1, approverRoles: ['qa-lead'] }, deployment: { mode: 'on-approval' } },
      headers: { 'idempotency-key': 'create-qa' },
    });
    expect(qa.status).toBe(201);
    expect(qa.body).toMatchObject({ name: 'qa', position: 1, version: 1 });
    const replay = await h.api('POST', '/api/v1/environments', {
      body: { name: 'qa', displayName: 'QA', position: 1, approvals: { required: 1, approverRoles: ['qa-lead'] }, deployment: { mode: 'on-approval' } },
      headers: { 'idempotency-key': 'create-qa' },
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const dup = await h.api('POST', '/api/v1/environments', { body: { name: 'qa' } });
    expect(dup.status).toBe(409);
    expect((await h.api('GET', '/api/v1/promotion-path')).body.environments).toEqual(['dev', 'qa', 'stage', 'prod']);
    const badGate = await h.api('PATCH', '/api/v1/environments/qa', { body: { gates: ['approvals', 'vulnerabilities'] } });
    expect(badGate.status).toBe(400);
    expect(badGate.body.errors[0].message).toContain('vulnerabilities');
    const badCron = await h.api('PATCH', '/api/v1/environments/qa', {
      body: { freezeWindows: [{ kind: 'recurring', name: 'x', cron: '61 * * * *', durationMinutes: 5 }] },
    });
    expect(badCron.status).toBe(400);
    const badPath = await h.api('PUT', '/api/v1/promotion-path', { body: { environments: ['dev', 'stage', 'prod'] } });
    expect(badPath.status).toBe(422);
    expect(badPath.body).toMatchObject({ code: 'INVALID_PROMOTION_PATH', missingEnvironments: ['qa'] });
    const path = await h.api('PUT', '/api/v1/promotion-path', { body: { environments: ['dev', 'stage', 'qa', 'prod'], allowSkip: false } });
    expect(path.body).toMatchObject({ environments: ['dev', 'stage', 'qa', 'prod'], version: 3 });
    const scope = await h.api('PATCH', '/api/v1/environments/qa', { as: { scope: 'release:read release:write' }, body: { separationOfDuties: false } });
    expect(scope.status).toBe(403);
  });

  it('requires an approver role when the environment names some, and records on-approval deployments at once', async () => {
    const image = await pushTestImage(h.registry, { repo: 'acme/billing', tag: '4.0.0', files: { 'b.txt': '4' } });
    const release = await h.api('POST', '/api/v1/releases', { body: { name: 'billing', version: '4.0.0', components: [{ name: 'billing', digest: image.digest }] } });
    const dev = await h.api('POST', '/api/v1/promotions', { body: { release: { id: release.body.id }, environment: 'dev' } });
    await h.api('POST', `/api/v1/promotions/${dev.body.id}/deployment`, { body: { status: 'deployed' } });
    const stage = await h.api('POST', '/api/v1/promotions', { body: { release: { id: release.body.id }, environment: 'stage' } });
    await h.api('POST', `/api/v1/promotions/${stage.body.id}/deployment`, { body: { status: 'failed', reason: 'health check' } });
    const skipFailed = await h.api('POST', '/api/v1/promotions', { body: { release: { id: release.body.id }, environment: 'qa' } });
    expect(skipFailed.status).toBe(409);
    expect(skipFailed.body.code).toBe('PROMOTION_SKIPS_ENVIRONMENT');
    const stage2 = await h.api('POST', '/api/v1/promotions', { body: { release: { id: release.body.id }, environment: 'stage' } });
    await h.api('POST', `/api/v1/promotions/${stage2.body.id}/deployment`, { body: { status: 'deployed' } });
    const qa = await h.api('POST', '/api/v1/promotions', { body: { release: { id: release.body.id }, environment: 'qa' } });
    expect(qa.body.state).toBe('awaiting_approval');
    const noRole = await h.api('POST', `/api/v1/promotions/${qa.body.id}/approvals`, { as: { sub: 'frank', clientId: 'console', roles: ['viewer'] }, body: {} });
    expect(noRole.status).toBe(403);
    expect(noRole.body).toMatchObject({ code: 'APPROVER_NOT_ALLOWED', requiredRoles: ['qa-lead'] });
    const ok = await h.api('POST', `/api/v1/promotions/${qa.body.id}/approvals`, { as: { sub: 'gina', clientId: 'console', roles: ['qa-lead'] }, body: {} });
    expect(ok.body.state).toBe('deployed');
    expect(ok.body.transitions.slice(-3).map((t: { to: string; actor: string }) => [t.to, t.actor])).toEqual([
      ['approved', 'user:gina'],
      ['deploying', 'system:orchestrator'],
      ['deployed', 'system:orchestrator'],
    ]);
  });

  it('serves an OpenAPI 3.1 document generated from the request schemas', async () => {
    const res = await fetch(`${h.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>> };
    expect(doc.openapi).toBe('3.1.0');
    const create = doc.paths['/api/v1/releases']!.post!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(create.properties ?? {})).toEqual(['name', 'version', 'components']);
  });
});
