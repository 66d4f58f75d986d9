'use strict';
/**
 * The golden path (issue 7) as a CI system and a few people would walk it, one step at a time.
 * Shared by `npm run demo` (scripts/demo/run.js, against the quickstart fleet) and the end-to-end
 * test (test/e2e/golden-path.int-spec.ts, against an isolated fleet). Every step talks to the
 * real services through their public APIs (REST, gRPC, JetStream, the `stella` CLI); a step whose
 * service has not landed yet fails with "waiting for <part>" instead of pretending.
 *
 * A step answers one line (its result) or throws; steps that need a failed step are skipped.
 */
const { spawnSync } = require('node:child_process');
const { createPrivateKey, createPublicKey, generateKeyPairSync } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const {
  api,
  ApiError,
  clientToken,
  userToken,
  ensureUser,
  ensureClient,
  orchestratorGrpc,
  eventually,
} = require('./clients');

const root = join(__dirname, '..', '..', '..');
const SHARED_DATA = process.env.STELLA_SHARED_DATA || join(root, '..', 'shared', 'data');

/** The advisory held back from the first import: imported at the end, it flips the deployed release's risk. */
const LATE_ADVISORY = { id: 'GHSA-c2qf-rxjj-qqgw', cve: 'CVE-2022-25883', purl: 'pkg:npm/semver@7.5.1' };
/** Answered with a trusted OpenVEX not_affected statement. */
const VEX_TARGET = {
  id: 'GHSA-9c47-m6qq-7p4h',
  cve: 'CVE-2022-46175',
  purl: 'pkg:npm/json5@2.2.1',
  component: 'json5',
};
/** Waived for prod: requested by one person, approved by another. */
const WAIVER_TARGET = {
  id: 'GHSA-fjxv-7rqg-78g4',
  cve: 'CVE-2025-7783',
  purl: 'pkg:npm/form-data@4.0.0',
  component: 'form-data',
};
const VEX_ISSUER_ID = 'stella-demo-security';
/** The Debian release of the images (base-files of bookworm). */
const DEBIAN_RELEASE = 'Debian:12';
/**
 * The policy service works through the first import's advisory events (7,508, about 50-90 s on a
 * busy 2-core machine) before it reaches the late one.
 */
const RISK_CHANGED_TIMEOUT_MS = 180_000;
const POLICY_GATE = 'policy';

/** The demo's policy: dev and stage warn on high/critical findings, prod blocks them (VEX not_affected/fixed and approved exceptions do not count). */
const POLICY_SOURCE = `apiVersion: stella.policy/v1
kind: Policy
metadata:
  name: golden-path
  version: 1.0.0
  description: dev and stage warn on high and critical findings; prod blocks them unless fixed or answered by VEX or a waiver
defaults:
  gates:
    sbom: { action: block }
    severity: { action: warn, threshold: high }
environments:
  dev: {}
  stage: {}
  prod:
    gates:
      severity: { action: block, threshold: high }
      kev: { action: block }
`;

/** A policy evaluation of the release for an environment at the policy service (findings rebuilt now). */
async function evaluate(ctx, environment, approvals = []) {
  const policy = requireService(ctx, 'policy', 'services/policy');
  const body = {
    release: {
      id: ctx.release.id,
      name: ctx.release.name,
      version: ctx.release.version,
      components: ctx.release.components.map((c) => ({
        name: c.name,
        digest: c.digest,
        repository: c.repository,
      })),
    },
    environment,
    approvals,
    refresh: true,
  };
  return api('POST', `${policy}/api/v1/evaluations`, { token: await ctx.tokens.ci(), body });
}

/** A DSSE-signed OpenVEX document about VEX_TARGET from the demo issuer, submitted by `token`. */
async function submitVex(ctx, excititor, token, statement, name) {
  const { signEnvelope, createKeySigner } = require('@stella/attest');
  const now = new Date().toISOString();
  const vex = {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': `https://stella-ops.local/vex/golden-path/${VEX_TARGET.cve}/${now}`,
    author: 'Stella Demo Security Team',
    timestamp: now,
    version: 1,
    statements: [
      {
        vulnerability: { name: VEX_TARGET.cve, aliases: [VEX_TARGET.id] },
        products: [{ '@id': VEX_TARGET.purl }],
        ...statement,
        timestamp: now,
      },
    ],
  };
  const envelope = await signEnvelope(Buffer.from(JSON.stringify(vex)), 'application/vnd.openvex+json', [
    createKeySigner(ctx.vexIssuer.privateKey, { keyId: VEX_ISSUER_ID }),
  ]);
  return api('POST', `${excititor}/api/v1/vex`, {
    token,
    body: { documents: [{ name, format: 'openvex', document: envelope }] },
  });
}

class Waiting extends Error {
  constructor(part, detail) {
    super(`waiting for ${part}${detail ? `: ${detail}` : ''}`);
    this.waiting = part;
  }
}

/** The demo's VEX issuer key (Ed25519, PKCS#8 PEM in `file`, created once, mode 0600). */
function loadOrCreateVexIssuer(file) {
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  const privateKey = createPrivateKey(readFileSync(file));
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { id: VEX_ISSUER_ID, privateKey, publicKeyPem };
}

/** The demo's security team as a VEX issuer (PUT /api/v1/issuers/:id body): trusted 90, signed documents only. */
function vexIssuerRegistration(issuer) {
  return {
    trust: 90,
    authors: ['Stella Demo Security Team'],
    publicKeys: [{ keyId: issuer.id, publicKeyPem: issuer.publicKeyPem }],
    requireSignature: true,
  };
}

/**
 * Registers the demo's VEX issuer in the excititor's runtime registry with an admin token.
 * A fleet whose authority was bootstrapped before `vex:admin` existed has an admin client without
 * it (403): the admin then creates a client holding just vex:admin and registers through it.
 * An issuer of that id from the excititor's configuration (409) is accepted when its key is the demo's.
 */
async function registerVexIssuer(ctx, excititor) {
  const url = `${excititor}/api/v1/issuers/${encodeURIComponent(ctx.vexIssuer.id)}`;
  const body = vexIssuerRegistration(ctx.vexIssuer);
  const put = (token) => api('PUT', url, { token, body });
  try {
    try {
      const answer = await put(ctx.adminToken);
      return `${answer.changed ? 'registered' : 'already registered'} (trust ${answer.trust}, signed only, key ${answer.publicKeys[0].fingerprint.slice(0, 19)}…) by the bootstrap admin client`;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 403) throw error;
    }
    const auth = requireService(ctx, 'authority');
    const vexAdmin = await ensureClient(auth, ctx.adminToken, ctx.tenant, 'golden-path-vex-admin', [
      'vex:admin',
      'vex:read',
    ]);
    const answer = await put(await clientToken(auth, vexAdmin.clientId, vexAdmin.clientSecret));
    return `${answer.changed ? 'registered' : 'already registered'} (trust ${answer.trust}, signed only) by client ${vexAdmin.clientId} (the bootstrap admin client predates vex:admin)`;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 409) throw error;
    const { issuers } = await api('GET', `${excititor}/api/v1/issuers`, { token: ctx.adminToken });
    const configured = issuers.find((i) => i.id === ctx.vexIssuer.id);
    const pem = createPublicKey(ctx.vexIssuer.publicKeyPem)
      .export({ type: 'spki', format: 'pem' })
      .toString();
    if (!configured?.publicKeys.some((k) => k.publicKeyPem.trim() === pem.trim()))
      throw new Error(
        `the excititor's configuration (STELLA_EXCITITOR_ISSUERS) defines issuer ${ctx.vexIssuer.id} with another key: drop it from the configuration and let the demo register it`,
      );
    return `configured in the excititor (STELLA_EXCITITOR_ISSUERS) with the demo's key (trust ${configured.trust})`;
  }
}

/** Advisory files for the concelier import root: everything but LATE_ADVISORY first, it alone later. */
function writeAdvisoryFiles(importRoot) {
  const dir = join(importRoot, 'golden-path');
  mkdirSync(dir, { recursive: true });
  const npm = readFileSync(join(SHARED_DATA, 'advisories', 'osv', 'npm.osv.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean);
  const late = npm.filter((line) => JSON.parse(line).id === LATE_ADVISORY.id);
  if (late.length !== 1)
    throw new Error(`${LATE_ADVISORY.id} not found in ../shared/data/advisories/osv/npm.osv.jsonl`);
  writeFileSync(
    join(dir, 'npm-initial.osv.jsonl'),
    npm.filter((line) => JSON.parse(line).id !== LATE_ADVISORY.id).join('\n') + '\n',
  );
  writeFileSync(join(dir, 'npm-late.osv.jsonl'), late.join('\n') + '\n');
  // The Debian feed for the release the images are built from (bookworm, Debian:12), as an
  // installation mirrors the distributions it runs: 89 of the 7,312 records. Importing all of them
  // works too, but the policy service then works through 7,300 more advisory events (about 70 s
  // here) before it reaches the late advisory.
  const debian = readFileSync(join(SHARED_DATA, 'advisories', 'osv', 'debian.osv.jsonl'), 'utf8')
    .split('\n')
    .filter(
      (line) =>
        line && (JSON.parse(line).affected ?? []).some((a) => a.package?.ecosystem === DEBIAN_RELEASE),
    );
  writeFileSync(join(dir, 'debian-12.osv.jsonl'), debian.join('\n') + '\n');
  return {
    initial: ['golden-path/npm-initial.osv.jsonl', 'golden-path/debian-12.osv.jsonl'],
    late: 'golden-path/npm-late.osv.jsonl',
  };
}

function stellaCli(args, { env = {}, cwd = root } = {}) {
  const result = spawnSync(process.execPath, [join(root, 'services', 'cli', 'bin', 'stella.js'), ...args], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function requireService(ctx, name, part = name) {
  const url = ctx.fleet.urls[name];
  if (!url) throw new Waiting(part, `no ${name} service in the fleet`);
  return url;
}

function gateLine(promotion) {
  return (promotion.gates ?? []).map((g) => `${g.name}:${g.result}`).join(' ');
}

/**
 * The steps, in order. `ctx` holds what earlier steps learnt; `ctx.fleet` = {urls, grpcPort,
 * natsUrl, natsPrefix, bootstrapFile, importRoot}, `ctx.registryHost`, `ctx.outDir`.
 */
function goldenPathSteps() {
  return [
    {
      id: 'identities',
      title: 'CI client and people created through the authority admin API',
      async run(ctx) {
        const auth = requireService(ctx, 'authority');
        const boot = JSON.parse(readFileSync(ctx.fleet.bootstrapFile, 'utf8'));
        ctx.tenant = boot.tenant;
        const admin = await clientToken(auth, boot.adminClient.clientId, boot.adminClient.clientSecret);
        ctx.adminToken = admin;
        const ci = await ensureClient(auth, admin, ctx.tenant, 'golden-path-ci', [
          'release:read',
          'release:write',
          'release:promote',
          'release:approve',
          'deploy:write',
          'scan:read',
          'scan:write',
          'policy:read',
          'policy:evaluate',
          'advisory:read',
          'vex:read',
          'evidence:read',
          'export:read',
        ]);
        ctx.ciCredentials = ci;
        ctx.tokens = {
          ci: async () => clientToken(auth, ci.clientId, ci.clientSecret),
          admin: async () => clientToken(auth, boot.adminClient.clientId, boot.adminClient.clientSecret),
        };
        const people = {
          alice: ['security-officer'],
          bob: ['security-officer'],
          carol: ['release-manager'],
          dave: ['release-manager'],
        };
        ctx.people = {};
        for (const [name, roles] of Object.entries(people)) {
          const user = await ensureUser(auth, admin, ctx.tenant, `gp-${name}`, roles);
          ctx.people[name] = user;
          ctx.tokens[name] = async () => userToken(auth, user.username, user.password);
        }
        await ctx.tokens.alice();
        return `client ${ci.clientId}; users gp-alice, gp-bob (security-officer), gp-carol, gp-dave (release-manager) in tenant ${ctx.tenant}`;
      },
    },
    {
      id: 'vex-issuer',
      title: "the demo's VEX issuer registered in the excititor (PUT /api/v1/issuers/:id, vex:admin)",
      needs: ['identities'],
      async run(ctx) {
        return registerVexIssuer(ctx, requireService(ctx, 'excititor'));
      },
    },
    {
      id: 'reset',
      title: 'what an earlier demo run left on this fleet withdrawn (its waiver, its VEX statement)',
      needs: ['identities'],
      async run(ctx) {
        const policy = requireService(ctx, 'policy', 'services/policy');
        const excititor = requireService(ctx, 'excititor');
        const done = [];
        // Waivers outlive a run (30 days): gp-bob revokes the ones an earlier run granted.
        const { exceptions } = await api(
          'GET',
          `${policy}/api/v1/exceptions?environment=prod&status=approved`,
          {
            token: await ctx.tokens.bob(),
          },
        );
        for (const e of exceptions.filter(
          (x) => x.vulnerability === WAIVER_TARGET.cve && x.component === WAIVER_TARGET.purl,
        )) {
          await api('POST', `${policy}/api/v1/exceptions/${e.id}/revoke`, {
            token: await ctx.tokens.bob(),
            body: { reason: 'golden path re-run: the waiver is requested and approved again' },
          });
          done.push(`waiver ${e.id.slice(0, 8)}… revoked`);
        }
        // The demo issuer's not_affected from an earlier run: its newer statement re-opens the analysis.
        const token = await ctx.tokens.alice();
        const consensus = await api(
          'GET',
          `${excititor}/api/v1/consensus?vulnerability=${encodeURIComponent(VEX_TARGET.cve)}&product=${encodeURIComponent(VEX_TARGET.purl)}`,
          { token },
        ).catch(() => undefined);
        if (consensus?.status === 'not_affected') {
          await submitVex(
            ctx,
            excititor,
            token,
            { status: 'under_investigation' },
            'golden-path-json5-reopened.openvex.json',
          );
          done.push(`VEX for ${VEX_TARGET.cve} re-opened (under_investigation)`);
        }
        return done.length > 0 ? done.join('; ') : 'nothing to withdraw (a fleet the demo has not run on)';
      },
    },
    {
      id: 'advisories',
      title: 'advisories from ../shared/data imported into concelier (one held back for later)',
      needs: ['identities'],
      async run(ctx) {
        const concelier = requireService(ctx, 'concelier');
        const token = ctx.adminToken;
        // Advisories are global: a fleet that ran the demo before already knows the held-back one,
        // and then neither the prod approval nor the risk change can happen as the story says.
        const known = await api('GET', `${concelier}/api/v1/advisories/${LATE_ADVISORY.id}`, { token }).then(
          () => true,
          (e) => (e instanceof ApiError && e.status === 404 ? false : Promise.reject(e)),
        );
        if (known)
          throw new Error(
            `this fleet already knows ${LATE_ADVISORY.id} (an earlier demo run imported it): the golden path needs a fleet that has not seen it; run \`npm run demo -- --isolated\` (fresh schemas) or start the quickstart fleet on an empty database`,
          );
        ctx.advisoryFiles = writeAdvisoryFiles(ctx.fleet.importRoot);
        const reports = [];
        for (const path of ctx.advisoryFiles.initial)
          reports.push(
            await api('POST', `${concelier}/api/v1/imports`, {
              token,
              body: { source: 'osv', path },
              timeoutMs: 600_000,
            }),
          );
        const read = reports.reduce((n, r) => n + r.recordsRead, 0);
        const fresh = reports.reduce((n, r) => n + r.documentsNew, 0);
        ctx.feedSnapshotId = reports.at(-1).snapshotId;
        return `${read} records read (${fresh} new documents), snapshot ${String(ctx.feedSnapshotId).slice(0, 19)}…; ${LATE_ADVISORY.id} (${LATE_ADVISORY.cve}) held back`;
      },
    },
    {
      id: 'images',
      title: 'two real images built (umoci + skopeo) and pushed by tag',
      async run(ctx) {
        const result = spawnSync(
          'bash',
          [join(root, 'scripts', 'demo', 'build-images.sh'), '--push', ctx.registryHost],
          { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
        );
        if (result.status !== 0)
          throw new Error(
            `build-images.sh failed (exit ${result.status}): ${result.stderr.trim().split('\n').slice(-5).join(' | ')}`,
          );
        ctx.images = JSON.parse(result.stdout).images;
        return ctx.images.map((i) => `${i.reference} = ${i.digest.slice(0, 19)}…`).join(', ');
      },
    },
    {
      id: 'environments',
      title: 'environments dev, stage, prod (prod: 2 approvals, separation of duties, policy gate)',
      needs: ['identities'],
      async run(ctx) {
        const orch = requireService(ctx, 'orchestrator');
        const token = ctx.adminToken;
        const wanted = {
          dev: {
            approvals: { required: 0, approverRoles: [] },
            gates: ['previous-environment', 'freeze-window', POLICY_GATE, 'approvals'],
          },
          stage: {
            approvals: { required: 0, approverRoles: [] },
            gates: ['previous-environment', 'freeze-window', POLICY_GATE, 'approvals'],
          },
          prod: {
            approvals: { required: 2, approverRoles: ['release-manager'] },
            separationOfDuties: true,
            gates: ['previous-environment', 'freeze-window', POLICY_GATE, 'approvals'],
          },
        };
        const existing = new Set(
          (await api('GET', `${orch}/api/v1/environments`, { token })).items?.map((e) => e.name) ?? [],
        );
        let policyGate = true;
        for (const [name, policy] of Object.entries(wanted)) {
          const body = { ...policy, deployment: { mode: 'reported' } };
          const send = (b) =>
            existing.has(name)
              ? api('PATCH', `${orch}/api/v1/environments/${name}`, { token, body: b })
              : api('POST', `${orch}/api/v1/environments`, { token, body: { name, ...b } });
          try {
            await send(body);
          } catch (error) {
            if (
              !(error instanceof ApiError) ||
              error.status !== 400 ||
              !JSON.stringify(error.body).includes(POLICY_GATE)
            )
              throw error;
            policyGate = false;
            await send({ ...body, gates: body.gates.filter((g) => g !== POLICY_GATE) });
          }
        }
        await api('PUT', `${orch}/api/v1/promotion-path`, {
          token,
          body: { environments: ['dev', 'stage', 'prod'], allowSkip: false },
        });
        ctx.policyGate = policyGate;
        if (!policyGate)
          throw new Waiting(
            'the orchestrator policy gate',
            `the orchestrator refuses gate "${POLICY_GATE}"; environments saved without it`,
          );
        return 'dev -> stage -> prod; prod needs 2 distinct release-manager approvals; every environment runs the policy gate';
      },
    },
    {
      id: 'policy',
      title: 'policy uploaded (dev/stage warn only; prod blocks criticals/highs without fix-or-VEX)',
      needs: ['identities'],
      async run(ctx) {
        const policy = requireService(ctx, 'policy', 'services/policy');
        const token = await ctx.tokens.alice();
        const uploaded = await api('POST', `${policy}/api/v1/policies`, {
          token,
          body: { source: POLICY_SOURCE },
        });
        for (const environment of ['dev', 'stage', 'prod'])
          await api('PUT', `${policy}/api/v1/environments/${environment}/policy`, {
            token,
            body: { name: uploaded.name, version: uploaded.version },
          });
        ctx.policy = uploaded;
        return `${uploaded.name}@${uploaded.version} (${uploaded.policyHash.slice(0, 19)}…) bound to dev, stage, prod by gp-alice`;
      },
    },
    {
      id: 'release',
      title: 'release created from the two tags over gRPC (CreateRelease)',
      needs: ['identities', 'images'],
      async run(ctx) {
        requireService(ctx, 'orchestrator');
        const grpc = (ctx.grpc ??= orchestratorGrpc(ctx.fleet.grpcPort));
        const token = await ctx.tokens.ci();
        const { releases } = await grpc
          .call('listReleases', { limit: 500 }, token)
          .catch(() => ({ releases: [] }));
        const taken = new Set((releases ?? []).filter((r) => r.name === 'golden-path').map((r) => r.version));
        let patch = 0;
        while (taken.has(`1.0.${patch}`)) patch += 1;
        const version = `1.0.${patch}`;
        const release = await grpc.call(
          'createRelease',
          {
            name: 'golden-path',
            version,
            components: ctx.images.map((i) => ({
              name: i.name,
              repository: `${ctx.registryHost}/${i.repository}`,
              tag: i.tag,
            })),
          },
          token,
          { 'idempotency-key': `golden-path-${version}-${Date.now()}` },
        );
        for (const image of ctx.images) {
          const component = release.components.find((c) => c.name === image.name);
          if (component?.digest !== image.digest)
            throw new Error(`${image.name} resolved to ${component?.digest}, pushed ${image.digest}`);
        }
        ctx.release = release;
        return `golden-path@${version} = ${release.id.slice(0, 19)}… (${release.components.length} digests, tags resolved by the orchestrator)`;
      },
    },
    {
      id: 'scan',
      title: 'scanner scans each digest once',
      needs: ['release'],
      async run(ctx) {
        const scanner = requireService(ctx, 'scanner', 'services/scanner');
        const token = await ctx.tokens.ci();
        ctx.scans = {};
        const lines = [];
        for (const image of ctx.images) {
          const ref = `${ctx.registryHost}/${image.repository}@${image.digest}`;
          const submitted = await api('POST', `${scanner}/api/v1/scans`, { token, body: { image: ref } });
          const scan = await eventually(
            async () => {
              const s = await api('GET', `${scanner}/api/v1/scans/${submitted.scanId}`, {
                token: await ctx.tokens.ci(),
              });
              if (s.status === 'failed')
                throw Object.assign(
                  new Error(`scan of ${image.name} failed: ${s.error?.code} ${s.error?.message}`),
                  { final: true },
                );
              return s.status === 'completed' ? s : undefined;
            },
            { timeoutMs: 120_000, what: `the scan of ${image.name}` },
          );
          // Asked again, the scanner answers the same scan: a digest is scanned once.
          const again = await api('POST', `${scanner}/api/v1/scans`, {
            token,
            body: { image: `${ctx.registryHost}/${image.repository}:${image.tag}` },
          });
          if (again.scanId !== scan.scanId)
            throw new Error(`${image.name} was scanned twice (${scan.scanId}, then ${again.scanId})`);
          ctx.scans[image.name] = scan;
          lines.push(`${image.name}: ${scan.componentCount} components`);
        }
        return `${lines.join(', ')}; a second request for each digest answered the same scan`;
      },
    },
    ...['dev', 'stage'].map((environment) => ({
      id: environment,
      title: `${environment} allows (gates evaluated, deployment reported)`,
      // `?`: also runs when that step is only waiting for a part (the path is saved without the policy gate).
      needs: ['release', 'environments?'],
      async run(ctx) {
        const token = await ctx.tokens.ci();
        const verdict = ctx.policy ? await evaluate(ctx, environment) : undefined;
        if (verdict && verdict.verdict === 'deny')
          throw new Error(`policy denies ${environment}: ${verdict.summary}`);
        const promotion = await ctx.grpc.call(
          'requestPromotion',
          { release: { id: ctx.release.id }, environment },
          token,
        );
        if (promotion.state !== 'deploying' && promotion.state !== 'approved')
          throw new Error(`promotion to ${environment} is ${promotion.state} (${gateLine(promotion)})`);
        const deployed = await ctx.grpc.call(
          'reportDeployment',
          { promotionId: promotion.id, status: 'deployed' },
          token,
        );
        if (deployed.state !== 'deployed')
          throw new Error(`deployment report left the promotion ${deployed.state}`);
        return `allowed, decision ${String(promotion.decisionId).slice(0, 16)}…; gates ${gateLine(promotion)}${verdict ? `; policy ${verdict.verdict}: ${verdict.summary}` : ''}`;
      },
    })),
    {
      id: 'prod-blocked',
      title: 'prod blocks, with a readable explanation',
      needs: ['stage', 'policy', 'scan', 'advisories', 'reset'],
      async run(ctx) {
        const verdict = await evaluate(ctx, 'prod');
        if (verdict.verdict !== 'deny')
          throw new Error(`expected the policy to deny prod, it says ${verdict.verdict}: ${verdict.summary}`);
        for (const t of [VEX_TARGET, WAIVER_TARGET])
          if (!verdict.summary.includes(t.cve) && !verdict.summary.includes(t.id))
            throw new Error(`the explanation does not name ${t.cve}: ${verdict.summary}`);
        ctx.prodDenied = verdict;
        if (!ctx.policyGate)
          throw new Waiting(
            'the orchestrator policy gate',
            `policy service verdict for prod: ${verdict.summary}`,
          );
        const token = await ctx.tokens.ci();
        const refused = await ctx.grpc
          .call('requestPromotion', { release: { id: ctx.release.id }, environment: 'prod' }, token)
          .then(
            (p) => {
              throw new Error(`prod promotion was not refused: ${p.state} (${gateLine(p)})`);
            },
            (e) => e,
          );
        if (refused.stellaCode !== 'PROMOTION_DENIED') throw refused;
        return `denied (decision ${String(refused.stellaDetails.decisionId).slice(0, 16)}…): ${verdict.summary}`;
      },
    },
    {
      id: 'vex',
      title: `trusted OpenVEX not_affected for ${VEX_TARGET.cve} in ${VEX_TARGET.component} (DSSE-signed)`,
      needs: ['identities', 'vex-issuer'],
      async run(ctx) {
        const excititor = requireService(ctx, 'excititor');
        const capabilities = await api('GET', `${excititor}/capabilities`);
        if (!(capabilities.issuers ?? []).some((i) => i.id === VEX_ISSUER_ID))
          throw new Error(
            `the excititor does not trust issuer ${VEX_ISSUER_ID}: the vex-issuer step registers it (PUT /api/v1/issuers/${VEX_ISSUER_ID})`,
          );
        const token = await ctx.tokens.alice();
        const answer = await submitVex(
          ctx,
          excititor,
          token,
          {
            status: 'not_affected',
            justification: 'vulnerable_code_not_in_execute_path',
            impact_statement:
              'json5.parse is only called on the settings the application ships; no attacker-controlled input reaches it',
          },
          'golden-path-json5.openvex.json',
        );
        const result = answer.results[0];
        if (result.outcome === 'refused')
          throw new Error(`excititor refused the VEX: ${JSON.stringify(result.issues)}`);
        const consensus = await api(
          'GET',
          `${excititor}/api/v1/consensus?vulnerability=${encodeURIComponent(VEX_TARGET.cve)}&product=${encodeURIComponent(VEX_TARGET.purl)}`,
          { token },
        );
        if (consensus.status !== 'not_affected')
          throw new Error(`consensus is ${consensus.status}: ${consensus.summary ?? ''}`);
        return `${result.outcome}, issuer ${result.issuer}, signed=${result.signed}; consensus: ${consensus.summary ?? consensus.status}`;
      },
    },
    {
      id: 'waiver',
      title: `waiver for ${WAIVER_TARGET.cve} in ${WAIVER_TARGET.component} (prod), requested by gp-alice, approved by gp-bob`,
      needs: ['identities', 'policy'],
      async run(ctx) {
        const policy = requireService(ctx, 'policy', 'services/policy');
        const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
        const requested = await api('POST', `${policy}/api/v1/exceptions`, {
          token: await ctx.tokens.alice(),
          body: {
            vulnerability: WAIVER_TARGET.cve,
            component: WAIVER_TARGET.purl,
            environment: 'prod',
            reason:
              'form-data only builds multipart bodies for our own upload client; boundary values never reach a third party. Upgrade to 4.0.4 planned next sprint.',
            expiresAt,
          },
        });
        const self = await api('POST', `${policy}/api/v1/exceptions/${requested.id}/approve`, {
          token: await ctx.tokens.alice(),
        }).then(
          () => undefined,
          (e) => e,
        );
        if (!(self instanceof ApiError) || self.status !== 403)
          throw new Error(
            `the requester could approve her own exception (${self ? self.message : 'approved'})`,
          );
        const approved = await api('POST', `${policy}/api/v1/exceptions/${requested.id}/approve`, {
          token: await ctx.tokens.bob(),
        });
        if (approved.status !== 'approved' && approved.state !== 'approved')
          throw new Error(`exception is ${approved.status ?? approved.state} after approval`);
        return `exception ${requested.id.slice(0, 8)}… until ${expiresAt.slice(0, 10)}: self-approval refused (403), approved by gp-bob`;
      },
    },
    {
      id: 'prod-approved',
      title: 'prod: two distinct approvers approve, prod allows',
      needs: ['prod-blocked?', 'vex', 'waiver'],
      async run(ctx) {
        const ci = await ctx.tokens.ci();
        const promotion = await ctx.grpc.call(
          'requestPromotion',
          { release: { id: ctx.release.id }, environment: 'prod' },
          ci,
        );
        if (promotion.state !== 'awaiting_approval')
          throw new Error(
            `prod promotion is ${promotion.state} (${gateLine(promotion)}), expected awaiting_approval`,
          );
        const self = await ctx.grpc.call('approvePromotion', { promotionId: promotion.id }, ci).then(
          () => undefined,
          (e) => e,
        );
        if (!self || self.stellaCode !== 'SEPARATION_OF_DUTIES')
          throw new Error(`the requester could approve: ${self ? self.message : 'approved'}`);
        await ctx.grpc.call(
          'approvePromotion',
          { promotionId: promotion.id, comment: 'VEX and waiver reviewed' },
          await ctx.tokens.carol(),
        );
        const approved = await ctx.grpc.call(
          'approvePromotion',
          { promotionId: promotion.id },
          await ctx.tokens.dave(),
        );
        if (approved.state !== 'deploying' && approved.state !== 'approved')
          throw new Error(`after two approvals prod is ${approved.state} (${gateLine(approved)})`);
        const deployed = await ctx.grpc.call(
          'reportDeployment',
          { promotionId: promotion.id, status: 'deployed' },
          ci,
        );
        if (deployed.state !== 'deployed') throw new Error(`deployment report left prod ${deployed.state}`);
        ctx.prodPromotion = approved;
        const approvals = approved.approvals.map((a) => a.approver);
        const names = new Map(Object.values(ctx.people).map((p) => [`user:${p.id}`, p.username]));
        const verdict = await evaluate(
          ctx,
          'prod',
          approvals.map((approver, i) => ({ approver, time: approved.approvals[i].time })),
        );
        if (verdict.verdict === 'deny') throw new Error(`policy still denies prod: ${verdict.summary}`);
        ctx.prodAllowed = verdict;
        return `allowed and deployed (decision ${String(approved.decisionId).slice(0, 16)}…, approvers ${approvals.map((a) => names.get(a) ?? a).join(', ')}; the requester's approval refused); policy ${verdict.verdict}: ${verdict.summary}${ctx.policyGate ? '' : ' (orchestrator policy gate not landed: verdict from the policy service)'}`;
      },
    },
    {
      id: 'evidence',
      title: 'evidence packet exported and verified offline with `stella verify`',
      needs: ['prod-approved'],
      async run(ctx) {
        const exporter = requireService(ctx, 'export', 'services/export');
        const decisionId = ctx.prodPromotion.decisionId;
        const token = await ctx.tokens.ci();
        const packet = await eventually(
          async () =>
            (
              await api('GET', `${exporter}/api/v1/packets?decision=${decisionId}`, {
                token: await ctx.tokens.ci(),
              })
            ).packets[0],
          {
            timeoutMs: 90_000,
            what: `the evidence packet of decision ${decisionId} (decision -> attestor -> export)`,
          },
        );
        mkdirSync(ctx.outDir, { recursive: true });
        const res = await fetch(`${exporter}${packet.content}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (res.status !== 200) throw new Error(`GET ${packet.content} -> ${res.status}`);
        const file = join(ctx.outDir, `evidence-${packet.id}.tar`);
        writeFileSync(file, Buffer.from(await res.arrayBuffer()));
        // The trust anchors an operator pins once (fetched now; verification itself is offline).
        const ca = join(ctx.outDir, 'stella-root-ca.pem');
        writeFileSync(ca, await (await fetch(`${requireService(ctx, 'signer')}/api/v1/ca`)).text());
        const logKey = join(ctx.outDir, 'log-key.txt');
        const keyAnswer = await (await fetch(`${requireService(ctx, 'attestor')}/api/v1/log/key`)).text();
        let keyText = keyAnswer;
        try {
          const parsed = JSON.parse(keyAnswer);
          keyText = parsed.verifierKey ?? parsed.key ?? parsed.vkey ?? keyAnswer;
        } catch {
          // plain text key
        }
        writeFileSync(logKey, `${String(keyText).trim()}\n`);
        const verify = stellaCli(['verify', file, '--ca', ca, '--log-key', logKey]);
        const verifyOutput = join(ctx.outDir, 'verify-output.txt');
        writeFileSync(verifyOutput, verify.stdout + verify.stderr);
        if (verify.status !== 0)
          throw new Error(
            `stella verify exited ${verify.status}: ${(verify.stdout + verify.stderr).trim().split('\n').slice(-3).join(' | ')}`,
          );
        ctx.evidencePacket = file;
        ctx.verifyOutput = verifyOutput;
        const lastLine = verify.stdout.trim().split('\n').at(-1);
        return `${packet.id} (${packet.size} bytes, sha256 ${String(packet.sha256).slice(0, 19)}…, log index ${packet.logIndex}); stella verify: ${lastLine}`;
      },
    },
    {
      id: 'replay',
      title: '`stella replay` reproduces the prod decision',
      needs: ['evidence'],
      async run(ctx) {
        const replay = stellaCli(['replay', ctx.evidencePacket]);
        writeFileSync(join(ctx.outDir, 'replay-output.txt'), replay.stdout + replay.stderr);
        if (replay.status !== 0)
          throw new Error(
            `stella replay exited ${replay.status}: ${(replay.stdout + replay.stderr).trim().split('\n').slice(-3).join(' | ')}`,
          );
        return `stella replay: ${replay.stdout.trim().split('\n').at(-1)}`;
      },
    },
    {
      id: 'risk-changed',
      title: `new advisory ${LATE_ADVISORY.cve} (semver) imported: stella.release.risk_changed observed on JetStream`,
      needs: ['prod-approved', 'advisories'],
      async run(ctx) {
        const concelier = requireService(ctx, 'concelier');
        const { connect, DeliverPolicy } = require('nats');
        const subject = `${ctx.fleet.natsPrefix}.release.risk_changed`;
        const nc = await connect({ servers: ctx.fleet.natsUrl, name: 'stella-golden-path' });
        try {
          const js = nc.jetstream();
          const jsm = await nc.jetstreamManager();
          const stream = await eventually(() => jsm.streams.find(subject).catch(() => undefined), {
            timeoutMs: 30_000,
            what: `a stream holding ${subject}`,
          });
          const since = new Date(Date.now() - 1000).toISOString();
          const report = await api('POST', `${concelier}/api/v1/imports`, {
            token: ctx.adminToken,
            body: { source: 'osv', path: ctx.advisoryFiles.late },
          });
          const consumer = await js.consumers.get(stream, {
            filterSubjects: subject,
            deliver_policy: DeliverPolicy.StartTime,
            opt_start_time: since,
          });
          const messages = await consumer.consume();
          const timer = setTimeout(() => messages.stop(), RISK_CHANGED_TIMEOUT_MS);
          let found;
          for await (const m of messages) {
            const event = JSON.parse(new TextDecoder().decode(m.data));
            const data = event.data ?? event;
            if (data.release?.id === ctx.release.id && data.environment === 'prod') {
              found = data;
              break;
            }
          }
          clearTimeout(timer);
          messages.stop();
          if (!found)
            throw new Error(
              `no ${subject} event for golden-path in prod within ${RISK_CHANGED_TIMEOUT_MS / 1000} s of importing ${LATE_ADVISORY.id} (import ${report.importId})`,
            );
          ctx.riskChanged = found;
          return `${subject} on ${stream}: ${found.releaseState} release ${found.previousVerdict} -> ${found.newVerdict} (+${found.delta.newFindings} new: ${found.delta.vulnerabilities.join(', ')}); ${found.summary}`;
        } finally {
          await nc.close();
        }
      },
    },
  ];
}

/**
 * Runs the steps in order, printing `✔ title — result` / `✘ title — error` / `… skipped`.
 * Answers {ok, results: [{id, status: ok|failed|waiting|skipped, line}]}.
 */
async function runGoldenPath(
  ctx,
  { say = (line) => process.stdout.write(`${line}\n`), steps = goldenPathSteps() } = {},
) {
  const results = [];
  const status = new Map();
  try {
    for (const [index, step] of steps.entries()) {
      const label = `${String(index + 1).padStart(2)}. ${step.title}`;
      const blocked = (step.needs ?? []).filter((need) =>
        need.endsWith('?')
          ? !['ok', 'waiting'].includes(status.get(need.slice(0, -1)))
          : status.get(need) !== 'ok',
      );
      if (blocked.length > 0) {
        const line = `skipped: needs ${blocked.join(', ')}`;
        status.set(step.id, 'skipped');
        results.push({ id: step.id, status: 'skipped', line });
        say(`- ${label}\n      ${line}`);
        continue;
      }
      const started = Date.now();
      try {
        const line = await step.run(ctx);
        status.set(step.id, 'ok');
        results.push({ id: step.id, status: 'ok', line });
        say(`✔ ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)\n      ${line}`);
      } catch (error) {
        const kind = error instanceof Waiting ? 'waiting' : 'failed';
        status.set(step.id, kind);
        results.push({ id: step.id, status: kind, line: error.message, error });
        say(`✘ ${label}\n      ${error.message}`);
      }
    }
  } finally {
    ctx.grpc?.close();
  }
  return { ok: results.every((r) => r.status === 'ok'), results };
}

module.exports = {
  goldenPathSteps,
  runGoldenPath,
  loadOrCreateVexIssuer,
  vexIssuerRegistration,
  writeAdvisoryFiles,
  Waiting,
  LATE_ADVISORY,
  VEX_TARGET,
  WAIVER_TARGET,
  VEX_ISSUER_ID,
};
