import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishEvent } from '@stella/bus';
import { buildEvent, decodeEvent, type AnyCloudEvent } from '@stella/contracts';
import { canonicalize, sha256Digest } from '@stella/canonical';
import { STELLA_DATA_SOURCE } from '@stella/platform';
import { PolicyGate, type PolicyEvaluationClient } from '@stella/policy-engine';
import { pushTestImage } from '@stella/testing';
import type { Subscription } from 'nats';
import type { DataSource } from 'typeorm';
import { client, eventually, startFleet, type Fleet } from './harness';

// Real scanner, concelier and excititor (booted in-process from their dist/), real Postgres,
// JetStream, OCI registry and S3 endpoint. The test plays the orchestrator's part only: it
// publishes the release and promotion events the orchestrator would.

const FIXTURES = join(__dirname, 'fixtures');
const advisory = (id: string) => readFileSync(join(FIXTURES, `${id}.json`), 'utf8');
const FORM_DATA = 'GHSA-fjxv-7rqg-78g4'; // form-data < 2.5.4, critical
const SEMVER = 'GHSA-c2qf-rxjj-qqgw'; // semver 7.0.0 - 7.5.2 (not in the image)

const POLICY = `apiVersion: stella.policy/v1
kind: Policy
metadata:
  name: shop
  version: '1'
  description: prod blocks high and critical findings
environments:
  dev: {}
  prod:
    gates:
      sbom: {}
      severity: { threshold: high }
`;

const RELEASE_ID = `sha256:${'7'.repeat(64)}`;
const OTHER_RELEASE_ID = `sha256:${'8'.repeat(64)}`;
const THIRD_RELEASE_ID = `sha256:${'6'.repeat(64)}`;
const KEV_RELEASE_ID = `sha256:${'5'.repeat(64)}`;
const READ = 'policy:read';
const WRITE = 'policy:write policy:read';
const EVALUATE = 'policy:evaluate policy:read';

describe('policy service', () => {
  let fleet: Fleet;
  let call: ReturnType<typeof client>;
  let imageDigest: string;
  const riskEvents: AnyCloudEvent[] = [];
  let subscription: Subscription;

  const importAdvisory = async (id: string) => {
    const res = await call('POST', `${fleet.concelier.url}/api/v1/imports`, 'advisory:import advisory:read', {
      source: 'osv',
      name: `${id}.json`,
      content: advisory(id),
    });
    expect(res.status).toBe(201);
    return res.json;
  };
  const publish = (type: Parameters<typeof buildEvent>[0], data: Record<string, unknown>) =>
    publishEvent(fleet.bus, buildEvent(type, { source: '/stella/orchestrator', tenant: 'acme', data: data as never }));
  const evaluate = (body: Record<string, unknown>, url = fleet.policy.url) =>
    call('POST', `${url}/api/v1/evaluations`, EVALUATE, body, 'ci-orchestrator');

  beforeAll(async () => {
    fleet = await startFleet();
    call = client(fleet);
    subscription = fleet.bus.nc.subscribe(`${fleet.nats.prefix}.release.risk_changed`, {
      callback: (_err, msg) => riskEvents.push(decodeEvent(msg.data)),
    });
    // A feed snapshot that does not touch the image, so findings can be built.
    await importAdvisory(SEMVER);
    const pushed = await pushTestImage(fleet.registry, {
      repo: 'shop/api',
      tag: 'v1',
      files: {
        '/etc/os-release': 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
        '/srv/app/package.json': JSON.stringify({ name: 'api', version: '1.0.0', dependencies: { 'form-data': '2.5.1' } }),
        '/srv/app/node_modules/form-data/package.json': JSON.stringify({ name: 'form-data', version: '2.5.1', license: 'MIT' }),
      },
    });
    imageDigest = pushed.digest;
    const scan = await call('POST', `${fleet.scanner.url}/api/v1/scans`, 'scan:write scan:read', { image: pushed.reference });
    expect(scan.status).toBe(202);
    await eventually('the scan', async () => {
      const res = await call('GET', `${fleet.scanner.url}/api/v1/scans/${String(scan.json.scanId)}`, 'scan:read');
      return res.json.status === 'completed' ? true : undefined;
    });
  }, 180_000);

  afterAll(async () => {
    subscription?.unsubscribe();
    await fleet?.close();
  });

  it('builds the findings snapshot of a scanned image when stella.scan.completed arrives', async () => {
    const current = await eventually('findings after the scan', async () => {
      const res = await call('GET', `${fleet.policy.url}/api/v1/findings/${imageDigest}`, READ);
      return res.status === 200 ? res.json : undefined;
    });
    expect(current.imageDigest).toBe(imageDigest);
    expect(current.findings).toEqual([]);
    expect(current.feedSnapshotId).toMatch(/^sha256:/);
    expect(current.vexSnapshotId).toMatch(/^sha256:/);
    expect(current.id).toMatch(/^sha256:/);
    expect(Number(current.componentCount)).toBeGreaterThan(0);
  });

  it('refuses policies with unknown gates, wrong types or CEL that does not compile, listing the problems', async () => {
    const unknownGate = await call('POST', `${fleet.policy.url}/api/v1/policies`, WRITE, {
      source: POLICY.replace('sbom: {}', 'sbom: {}\n      teleport: {}'),
    });
    expect(unknownGate.status).toBe(422);
    expect(unknownGate.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(unknownGate.json).toMatchObject({ type: 'urn:stella:problem:invalid-policy', code: 'POLICY_SCHEMA' });
    expect(JSON.stringify(unknownGate.json.errors)).toContain('teleport');

    const wrongType = await call('POST', `${fleet.policy.url}/api/v1/policies`, WRITE, {
      source: POLICY.replace('threshold: high', 'threshold: 7'),
    });
    expect(wrongType.status).toBe(422);
    expect((wrongType.json.errors as unknown[]).length).toBeGreaterThan(0);

    const badCel = await call('POST', `${fleet.policy.url}/api/v1/policies`, WRITE, {
      source: `${POLICY}rules:\n  - id: broken\n    language: cel\n    expression: 'release.name == '\n`,
    });
    expect(badCel.status).toBe(422);
    expect(badCel.json).toMatchObject({ code: 'CEL_COMPILE' });

    const noScope = await call('POST', `${fleet.policy.url}/api/v1/policies`, READ, { source: POLICY });
    expect(noScope.status).toBe(403);
  });

  it('stores immutable policy versions with their hash and binds them to environments', async () => {
    const created = await call('POST', `${fleet.policy.url}/api/v1/policies`, WRITE, { source: POLICY });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'shop', version: '1', environments: ['dev', 'prod'] });
    expect(created.json.policyHash).toMatch(/^sha256:[a-f0-9]{64}$/);
    const again = await call('POST', `${fleet.policy.url}/api/v1/policies`, WRITE, { source: POLICY });
    expect(again.status).toBe(200);
    const changed = await call('POST', `${fleet.policy.url}/api/v1/policies`, WRITE, { source: POLICY.replace('high }', 'critical }') });
    expect(changed.status).toBe(409);

    const list = await call('GET', `${fleet.policy.url}/api/v1/policies`, READ);
    expect(list.json.policies).toEqual([expect.objectContaining({ name: 'shop', version: '1' })]);
    const raw = await call('GET', `${fleet.policy.url}/api/v1/policies/shop/versions/1/source`, READ);
    expect(raw.text).toBe(POLICY);

    const unbound = await call('PUT', `${fleet.policy.url}/api/v1/environments/stage/policy`, WRITE, { name: 'shop', version: '1' });
    expect(unbound.status).toBe(422);
    for (const environment of ['dev', 'prod']) {
      const bound = await call('PUT', `${fleet.policy.url}/api/v1/environments/${environment}/policy`, WRITE, { name: 'shop', version: '1' });
      expect(bound.status).toBe(200);
    }
    const other = fleet.tokens.mint({ scope: READ, tenant: 'globex' });
    const foreign = await fetch(`${fleet.policy.url}/api/v1/policies`, { headers: { authorization: `Bearer ${await other}` } });
    expect(((await foreign.json()) as { policies: unknown[] }).policies).toEqual([]);
  });

  it('evaluates a release, stores the evaluation immutably with its policy source, canonical input and verdict bytes', async () => {
    await publish('stella.orchestrator.release.created', {
      tenantId: 'acme',
      release: { id: RELEASE_ID, name: 'shop', version: '1.0.0' },
      components: [{ name: 'api', repository: 'shop/api', digest: imageDigest }],
      origin: 'api',
      actor: { type: 'client', id: 'ci-shop' },
    });
    const first = await eventually('the tracked release', async () => {
      const res = await evaluate({ release: { id: RELEASE_ID }, environment: 'prod' });
      return res.status === 201 ? res : undefined;
    });
    expect(first.json).toMatchObject({
      release: { id: RELEASE_ID, name: 'shop', version: '1.0.0' },
      environment: 'prod',
      verdict: 'allow',
      policy: { name: 'shop', version: '1' },
    });
    const id = String(first.json.id);
    expect(first.json.evidence).toEqual({ policy: (first.json.policy as { policyHash: string }).policyHash, 'policy-evaluation': id, 'policy-input': first.json.inputDigest });

    const input = await call('GET', `${fleet.policy.url}/api/v1/evaluations/${id}/input`, READ);
    expect(sha256Digest(input.text)).toBe(first.json.inputDigest);
    expect(input.json).toMatchObject({ schemaVersion: 'stella.policy.input/v1', environment: { name: 'prod' } });
    const source = await call('GET', `${fleet.policy.url}/api/v1/evaluations/${id}/policy`, READ);
    expect(source.text).toBe(POLICY);
    const verdict = await call('GET', `${fleet.policy.url}/api/v1/evaluations/${id}/verdict`, READ);
    expect(sha256Digest(verdict.text)).toBe(first.json.verdictDigest);

    // Same inputs (evaluation time included) -> the same evaluation, byte for byte.
    const time = String((input.json as { evaluationTime: string }).evaluationTime);
    const a = await evaluate({ release: { id: RELEASE_ID }, environment: 'prod', evaluationTime: time });
    const b = await evaluate({ release: { id: RELEASE_ID }, environment: 'prod', evaluationTime: time });
    expect(a.json.id).toBe(b.json.id);
    expect(a.json.verdictDigest).toBe(b.json.verdictDigest);

    // Stored content-addressed: the image's component list apart and once for every evaluation of
    // it; what GET .../input serves (hash checked above) is put back from the two.
    const ds = fleet.policy.app.get<DataSource>(STELLA_DATA_SOURCE);
    const s = `"${fleet.policySchema.schema}"`;
    const [stored] = (await ds.query(`SELECT input_parts, length(input_document) AS length FROM ${s}.evaluation WHERE id = $1`, [id])) as Array<{
      input_parts: Array<{ at: number; digest: string }>;
      length: number;
    }>;
    expect(stored!.input_parts).toHaveLength(1);
    expect(stored!.length).toBeLessThan(input.text.length);
    const parts = (await ds.query(`SELECT digest, length(content) AS length FROM ${s}.input_part`)) as Array<{ digest: string; length: number }>;
    expect(parts).toEqual([{ digest: stored!.input_parts[0]!.digest, length: input.text.length - stored!.length + 2 }]);
  });

  it('fails closed when the SBOM is missing or concelier cannot be reached', async () => {
    const missing = await evaluate({
      release: { id: OTHER_RELEASE_ID, name: 'shop', version: '9.9.9', components: [{ name: 'ghost', digest: `sha256:${'9'.repeat(64)}` }] },
      environment: 'prod',
    });
    expect(missing.status).toBe(201);
    expect(missing.json.verdict).not.toBe('allow');
    expect(JSON.stringify(missing.json.notes)).toContain('no SBOM');

    const dead = await fleet.extraPolicy({ policyConcelierUrl: 'http://127.0.0.1:9' });
    const unreachable = await evaluate(
      {
        release: { id: THIRD_RELEASE_ID, name: 'shop', version: '3.0.0', components: [{ name: 'api', digest: imageDigest }] },
        environment: 'prod',
        refresh: true,
      },
      dead.url,
    );
    expect(unreachable.status).toBe(201);
    expect(unreachable.json.verdict).not.toBe('allow');
    expect(JSON.stringify(unreachable.json.notes)).toContain('concelier');
    const doc = await call('GET', `${fleet.policy.url}/api/v1/evaluations/${String(unreachable.json.id)}/input`, READ);
    expect((doc.json as { feedSnapshotId: unknown }).feedSnapshotId).toBeNull();
  });

  it('re-evaluates a deployed release without a rescan when an advisory arrives, and raises stella.release.risk_changed', async () => {
    await publish('stella.orchestrator.promotion.deployed', {
      tenantId: 'acme',
      promotionId: 'promo-1',
      kind: 'promotion',
      release: { id: RELEASE_ID, name: 'shop', version: '1.0.0' },
      environment: 'prod',
      from: 'deploying',
      to: 'deployed',
      seq: 6,
      at: new Date().toISOString(),
      actor: { type: 'client', id: 'ci-shop' },
    });
    // The promotion is tracked once the release shows as prod's baseline for another release.
    await eventually('the deployment to be tracked', async () => {
      const res = await evaluate({
        release: { id: OTHER_RELEASE_ID, name: 'shop', version: '2.0.0', components: [{ name: 'api', digest: imageDigest }] },
        environment: 'prod',
      });
      const input = await call('GET', `${fleet.policy.url}/api/v1/evaluations/${String(res.json.id)}/input`, READ);
      return (input.json as { baseline?: { releaseId: string } }).baseline?.releaseId === RELEASE_ID ? true : undefined;
    });
    const before = riskEvents.length;
    const snapshotBefore = await call('GET', `${fleet.policy.url}/api/v1/findings/${imageDigest}`, READ);

    await importAdvisory(FORM_DATA);

    const event = await eventually('stella.release.risk_changed', async () =>
      riskEvents.slice(before).find((e) => (e.data as { release: { id: string } }).release.id === RELEASE_ID),
    );
    expect(event.data).toMatchObject({
      tenantId: 'acme',
      release: { id: RELEASE_ID, name: 'shop', version: '1.0.0' },
      environment: 'prod',
      releaseState: 'deployed',
      previousVerdict: 'allow',
      newVerdict: 'deny',
      delta: { newFindings: 1, fixedFindings: 0, changedFindings: 0, vulnerabilities: [FORM_DATA] },
      cause: { kind: 'advisory', advisoryId: FORM_DATA },
    });
    const data = event.data as { evaluationId: string; summary: string };
    expect(data.summary).toMatch(/GHSA-fjxv-7rqg-78g4|CVE-2025-7783/);
    const evaluation = await call('GET', `${fleet.policy.url}/api/v1/evaluations/${data.evaluationId}`, READ);
    expect(evaluation.json).toMatchObject({ verdict: 'deny', cause: { kind: 'advisory', advisoryId: FORM_DATA } });

    // The digest's findings were recomputed (a new snapshot) from the stored components, not rescanned.
    const snapshot = await call('GET', `${fleet.policy.url}/api/v1/findings/${imageDigest}`, READ);
    expect(snapshot.json.id).not.toBe(snapshotBefore.json.id);
    expect(snapshot.json.findings).toEqual([expect.objectContaining({ id: FORM_DATA, purl: 'pkg:npm/form-data@2.5.1', severity: 'critical' })]);
    const scans = await call('GET', `${fleet.scanner.url}/api/v1/images/${imageDigest}/components`, 'scan:read');
    expect(scans.status).toBe(200);
  });

  it('re-evaluates on stella.advisory.enriched: a KEV import flips a deployed release whose policy blocks KEV, raising risk_changed', async () => {
    // An environment whose policy blocks known exploited vulnerabilities only (severity alone passes).
    const kevPolicy = `apiVersion: stella.policy/v1
kind: Policy
metadata:
  name: edge-kev
  version: '1'
environments:
  edge:
    gates:
      kev: {}
`;
    expect((await call('POST', `${fleet.policy.url}/api/v1/policies`, WRITE, { source: kevPolicy })).status).toBe(201);
    expect((await call('PUT', `${fleet.policy.url}/api/v1/environments/edge/policy`, WRITE, { name: 'edge-kev', version: '1' })).status).toBe(200);
    await publish('stella.orchestrator.release.created', {
      tenantId: 'acme',
      release: { id: KEV_RELEASE_ID, name: 'shop-edge', version: '1.0.0' },
      components: [{ name: 'api', repository: 'shop/api', digest: imageDigest }],
      origin: 'api',
      actor: { type: 'client', id: 'ci-shop' },
    });
    await publish('stella.orchestrator.promotion.deployed', {
      tenantId: 'acme',
      promotionId: 'promo-edge-1',
      kind: 'promotion',
      release: { id: KEV_RELEASE_ID, name: 'shop-edge', version: '1.0.0' },
      environment: 'edge',
      from: 'deploying',
      to: 'deployed',
      seq: 6,
      at: new Date().toISOString(),
      actor: { type: 'client', id: 'ci-shop' },
    });
    // Evaluated once while the critical form-data finding is not in KEV: allowed.
    const first = await eventually('the edge release to be known', async () => {
      const res = await evaluate({ release: { id: KEV_RELEASE_ID }, environment: 'edge' });
      return res.status === 201 ? res : undefined;
    });
    expect(first.json).toMatchObject({ verdict: 'allow' });
    const snapshotBefore = await call('GET', `${fleet.policy.url}/api/v1/findings/${imageDigest}`, READ);
    expect(snapshotBefore.json.findings).toEqual([expect.objectContaining({ id: FORM_DATA, kev: false })]);
    // The deployment is tracked once it shows as edge's baseline.
    await eventually('the edge deployment to be tracked', async () => {
      const res = await evaluate({
        release: { id: OTHER_RELEASE_ID, name: 'shop', version: '2.0.0', components: [{ name: 'api', digest: imageDigest }] },
        environment: 'edge',
      });
      const input = await call('GET', `${fleet.policy.url}/api/v1/evaluations/${String(res.json.id)}/input`, READ);
      return (input.json as { baseline?: { releaseId: string } }).baseline?.releaseId === KEV_RELEASE_ID ? true : undefined;
    });
    const before = riskEvents.length;

    const kev = await call('POST', `${fleet.concelier.url}/api/v1/imports`, 'advisory:import advisory:read', {
      source: 'kev',
      name: 'known_exploited_vulnerabilities.json',
      content: JSON.stringify({
        title: 'CISA Catalog of Known Exploited Vulnerabilities',
        catalogVersion: '2025.11.20',
        dateReleased: '2025-11-20T17:00:00.000Z',
        count: 1,
        vulnerabilities: [
          {
            cveID: 'CVE-2025-7783',
            vendorProject: 'form-data',
            product: 'form-data',
            vulnerabilityName: 'form-data unsafe random boundary',
            dateAdded: '2025-11-20',
            shortDescription: 'test entry',
            requiredAction: 'Apply updates.',
            dueDate: '2025-12-11',
            knownRansomwareCampaignUse: 'Unknown',
            notes: '',
          },
        ],
      }),
    });
    expect(kev.status).toBe(201);

    const event = await eventually('stella.release.risk_changed after the KEV import', async () =>
      riskEvents.slice(before).find((e) => (e.data as { cause: { kind: string } }).cause.kind === 'enrichment'),
    );
    expect(event.data).toMatchObject({
      tenantId: 'acme',
      release: { id: KEV_RELEASE_ID, name: 'shop-edge', version: '1.0.0' },
      environment: 'edge',
      releaseState: 'deployed',
      previousVerdict: 'allow',
      newVerdict: 'deny',
      delta: { newFindings: 0, fixedFindings: 0, changedFindings: 1, vulnerabilities: [FORM_DATA] },
      cause: { kind: 'enrichment', source: 'kev', cveIds: ['CVE-2025-7783'] },
    });
    const data = event.data as { evaluationId: string; summary: string };
    expect(data.summary).toMatch(/known exploited/);
    const evaluation = await call('GET', `${fleet.policy.url}/api/v1/evaluations/${data.evaluationId}`, READ);
    expect(evaluation.json).toMatchObject({ verdict: 'deny', cause: { kind: 'enrichment', source: 'kev' } });
    const snapshot = await call('GET', `${fleet.policy.url}/api/v1/findings/${imageDigest}`, READ);
    expect(snapshot.json.findings).toEqual([expect.objectContaining({ id: FORM_DATA, kev: true })]);
    // Exactly once: prod's release was re-evaluated too (still deny, no event); only the edge release changed.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(riskEvents.slice(before).filter((e) => (e.data as { cause: { kind: string } }).cause.kind === 'enrichment')).toHaveLength(1);
  });

  it('applies an exception approved by someone other than its requester, shows it, and stops applying it once expired', async () => {
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const noExpiry = await call('POST', `${fleet.policy.url}/api/v1/exceptions`, 'exception:request', {
      vulnerability: FORM_DATA,
      component: 'pkg:npm/form-data',
      environment: 'prod',
      reason: 'boundary values never leave our own upload client',
    });
    expect(noExpiry.status).toBe(400);
    const tooLong = await call('POST', `${fleet.policy.url}/api/v1/exceptions`, 'exception:request', {
      vulnerability: FORM_DATA,
      component: 'pkg:npm/form-data',
      environment: 'prod',
      reason: 'forever',
      expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString(),
    });
    expect(tooLong.status).toBe(400);

    const requested = await call('POST', `${fleet.policy.url}/api/v1/exceptions`, 'exception:request', {
      vulnerability: FORM_DATA,
      component: 'pkg:npm/form-data',
      environment: 'prod',
      reason: 'boundary values never leave our own upload client',
      expiresAt,
    }, 'alice');
    expect(requested.status).toBe(201);
    const id = String(requested.json.id);
    const self = await call('POST', `${fleet.policy.url}/api/v1/exceptions/${id}/approve`, 'exception:approve', undefined, 'alice');
    expect(self.status).toBe(403);
    expect(self.json).toMatchObject({ type: 'urn:stella:problem:separation-of-duties', rule: 'separation-of-duties' });
    const approved = await call('POST', `${fleet.policy.url}/api/v1/exceptions/${id}/approve`, 'exception:approve', undefined, 'bob');
    expect(approved.json).toMatchObject({ status: 'approved', approvedBy: 'client:bob', active: true });

    const waived = await evaluate({ release: { id: RELEASE_ID }, environment: 'prod' });
    expect(waived.json.verdict).toBe('allow');
    const result = waived.json.result as { exceptionsApplied: Array<{ id: string }> };
    expect(result.exceptionsApplied.map((e) => e.id)).toEqual([id]);

    const later = new Date(Date.parse(expiresAt) + 86_400_000).toISOString().replace(/\.\d{3}Z$/, '.000Z');
    const expired = await evaluate({ release: { id: RELEASE_ID }, environment: 'prod', evaluationTime: later });
    expect(expired.json.verdict).toBe('deny');
    expect((expired.json.result as { exceptionsExpired: string[] }).exceptionsExpired).toEqual([id]);
  });

  it('re-evaluates when a trusted VEX statement says not_affected, and raises the risk change back', async () => {
    const before = riskEvents.length;
    const ingest = await call('POST', `${fleet.excititor.url}/api/v1/vex`, 'vex:write vex:read', {
      documents: [
        {
          format: 'openvex',
          document: {
            '@context': 'https://openvex.dev/ns/v0.2.0',
            '@id': 'https://vex.shop.example/2025-1',
            author: 'Shop Security',
            timestamp: '2025-11-01T00:00:00Z',
            version: 1,
            statements: [
              {
                vulnerability: { name: FORM_DATA, aliases: ['CVE-2025-7783'] },
                products: [{ '@id': 'pkg:npm/form-data@2.5.1' }],
                status: 'not_affected',
                justification: 'vulnerable_code_not_in_execute_path',
              },
            ],
          },
        },
      ],
    });
    expect(ingest.status).toBe(200);
    const event = await eventually('stella.release.risk_changed after VEX', async () =>
      riskEvents
        .slice(before)
        .find((e) => (e.data as { cause: { kind: string }; release: { id: string } }).cause.kind === 'vex' && (e.data as { release: { id: string } }).release.id === RELEASE_ID),
    );
    expect(event.data).toMatchObject({
      release: { id: RELEASE_ID },
      environment: 'prod',
      newVerdict: 'allow',
      delta: { changedFindings: 1, vulnerabilities: [FORM_DATA] },
      cause: { kind: 'vex', vulnerabilityId: FORM_DATA, productKey: 'pkg:npm/form-data@2.5.1', status: 'not_affected' },
    });
    const snapshot = await call('GET', `${fleet.policy.url}/api/v1/findings/${imageDigest}`, READ);
    expect(snapshot.json.findings).toEqual([expect.objectContaining({ id: FORM_DATA, vex: expect.objectContaining({ status: 'not_affected' }) })]);
  });

  it("answers the orchestrator's policy gate: the recorded evaluation replays to the same result, pinning the stored evaluation", async () => {
    // The gate's HTTP client lives in the orchestrator; this is the same request through the same port.
    const client: PolicyEvaluationClient = {
      async evaluate(request) {
        const res = await call('POST', `${fleet.policy.url}/api/v1/evaluations?include=replay`, 'policy:evaluate', {
          release: request.release,
          environment: request.environment,
          approvals: request.approvals,
          evaluationTime: request.evaluationTime,
        }, 'stella-orchestrator');
        if (res.status !== 201) return { kind: 'unavailable', reason: `policy service answered ${res.status}` };
        const replay = res.json.replay as { policySource: string; inputDocument: string };
        return { kind: 'evaluated', evaluationId: String(res.json.id), ...replay };
      },
    };
    const context = {
      tenant: 'acme',
      now: new Date(),
      release: { id: RELEASE_ID, name: 'shop', version: '1.0.0', createdBy: 'client:ci-shop' },
      environment: { name: 'prod' },
      approvals: [{ approver: 'user:carol', time: new Date().toISOString() }],
    };
    const live = await new PolicyGate(client).evaluate(context);
    expect(live.result).toBe('pass');
    const record = live.recorded as { kind: string; evaluationId: string };
    expect(record.kind).toBe('evaluated');
    // The evidence pins exactly the evaluation the service stored.
    const pinned = live.evidence.find((e) => e.name === 'policy-evaluation')!;
    expect(pinned.digest).toBe(record.evaluationId);
    const stored = await call('GET', `${fleet.policy.url}/api/v1/evaluations/${record.evaluationId}`, READ);
    expect(stored.json.inputDigest).toBe(live.evidence.find((e) => e.name === 'policy-input')!.digest);
    // Replay: the decision records references; the bodies are the service's stored bytes.
    const policySource = (await call('GET', `${fleet.policy.url}/api/v1/evaluations/${record.evaluationId}/policy`, READ)).text;
    const inputDocument = (await call('GET', `${fleet.policy.url}/api/v1/evaluations/${record.evaluationId}/input`, READ)).text;
    const replayed = await new PolicyGate(undefined, { bodies: () => ({ policySource, inputDocument }) }).evaluate(
      context,
      JSON.parse(JSON.stringify(live.recorded)),
    );
    expect(canonicalize(replayed)).toBe(canonicalize(live));

    const dead: PolicyEvaluationClient = { evaluate: () => Promise.reject(new Error('connect ECONNREFUSED')) };
    const closed = await new PolicyGate(dead).evaluate(context);
    expect(closed).toMatchObject({ result: 'pending', reasons: [expect.stringContaining('ECONNREFUSED')] });
  });
});
