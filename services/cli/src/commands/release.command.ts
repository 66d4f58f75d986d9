import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { loadCliConfig } from '../cli-config';
import { createOutput, type Output } from '../output';
import { fetchOrExplain } from '../session/authority-client';
import { CredentialsStore } from '../session/credentials-store';
import { readFleetFile, serviceUrl } from '../session/fleet-file';

/**
 * Thin commands over the orchestrator's REST API (`/api/v1`): `stella release create|show`,
 * `stella promote`, `stella approve`, `stella inventory`, `stella audit verify`. The token is the
 * one `stella login` cached; the orchestrator is `--orchestrator <url>`, else the quickstart's
 * fleet file. Every create sends an Idempotency-Key (`--idempotency-key`, default a fresh UUID).
 * A refusal (problem+json) exits 1 with its code and detail; `--json` prints the body either way.
 */

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown> | undefined;
}

/** A refusal from the orchestrator, carrying its problem+json body. */
export class OrchestratorRefusal extends Error {
  constructor(
    readonly status: number,
    readonly problem: Record<string, unknown> | undefined,
  ) {
    super(`refused (${status} ${String(problem?.code ?? problem?.title ?? '')}): ${String(problem?.detail ?? '')}`);
  }
}

export interface OrchestratorApi {
  call(method: 'GET' | 'POST', path: string, options?: { body?: unknown; idempotencyKey?: string }): Promise<Record<string, unknown>>;
}

/** The orchestrator as the logged-in identity. */
export async function orchestratorApi(flagUrl: string | undefined): Promise<OrchestratorApi> {
  const config = loadCliConfig();
  const base = flagUrl ?? serviceUrl(await readFleetFile(config.fleetFile), 'orchestrator');
  if (!base) throw new Error(`no orchestrator URL: pass --orchestrator <url> or start the fleet (npm run quickstart writes ${config.fleetFile})`);
  const credentials = await new CredentialsStore(config.home).load();
  if (!credentials) throw new Error('not logged in; run `stella login`');
  if (Date.parse(credentials.expiresAt) <= Date.now())
    throw new Error(`the cached token expired at ${credentials.expiresAt}; run \`stella login\``);
  return {
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { authorization: `Bearer ${credentials.accessToken}`, accept: 'application/json' };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
      const response = await fetchOrExplain(new URL(path, base), {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
      const text = await response.text();
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      if (!response.ok) throw new OrchestratorRefusal(response.status, body);
      return body;
    },
  };
}

/** `name@version` (the version is SemVer; the orchestrator checks it). */
export function parseReleaseRef(ref: string): { name: string; version: string } {
  const at = ref.lastIndexOf('@');
  if (at <= 0 || at === ref.length - 1) throw new Error(`expected <name>@<version>, got ${ref}`);
  return { name: ref.slice(0, at), version: ref.slice(at + 1) };
}

/**
 * `--component name=repository:tag`, `name=repository@sha256:…`, `name=:tag` (an existing
 * component's repository). The repository may carry a registry port (`127.0.0.1:5000/shop/api:1.0`).
 */
export function parseComponent(spec: string): { name: string; repository?: string; tag?: string; digest?: string } {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new Error(`expected --component <name>=<repository>:<tag> or <name>=<repository>@<digest>, got ${spec}`);
  const name = spec.slice(0, eq);
  let image = spec.slice(eq + 1);
  let digest: string | undefined;
  const at = image.indexOf('@');
  if (at >= 0) {
    digest = image.slice(at + 1);
    image = image.slice(0, at);
  }
  let tag: string | undefined;
  const colon = image.lastIndexOf(':');
  if (colon >= 0 && !image.slice(colon + 1).includes('/')) {
    tag = image.slice(colon + 1);
    image = image.slice(0, colon);
  }
  if (tag === undefined && digest === undefined) throw new Error(`component ${name}: give a tag or a digest (${spec})`);
  return { name, ...(image ? { repository: image } : {}), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

type Promotion = {
  id: string;
  state: string;
  release: { name: string; version: string };
  environment: string;
  decisionId?: string;
  approvals?: Array<{ approver: string }>;
  lastEvaluation?: { verdict: string; gates: Array<{ name: string; result: string; reasons: string[] }> };
};

export function describePromotion(p: Promotion): string {
  const lines = [`promotion ${p.id}: ${p.release.name}@${p.release.version} -> ${p.environment}: ${p.state}`];
  for (const gate of p.lastEvaluation?.gates ?? []) lines.push(`  gate ${gate.name}: ${gate.result}${gate.reasons.length ? ` (${gate.reasons.join('; ')})` : ''}`);
  if (p.approvals?.length) lines.push(`  approvals: ${p.approvals.map((a) => a.approver).join(', ')}`);
  if (p.decisionId) lines.push(`  decision ${p.decisionId}`);
  return lines.join('\n');
}

export function describeRefusal(r: OrchestratorRefusal): string {
  const p = r.problem ?? {};
  const facts = ['rule', 'violation', 'window', 'promotionId', 'decisionId']
    .filter((k) => p[k] !== undefined)
    .map((k) => `  ${k}: ${typeof p[k] === 'string' ? p[k] : JSON.stringify(p[k])}`);
  return [r.message, ...facts].join('\n');
}

/** Runs a command's call: prints the answer, or the refusal (exit code 1). */
async function answer(out: Output, work: () => Promise<{ human: string; data: unknown }>): Promise<void> {
  try {
    const { human, data } = await work();
    out.result(human, data);
  } catch (error) {
    if (!(error instanceof OrchestratorRefusal)) throw error;
    if (out.json) out.result('', { status: error.status, ...error.problem });
    else process.stderr.write(`stella: ${describeRefusal(error)}\n`);
    process.exitCode = 1;
  }
}

const common = (command: Command): Command =>
  command.option('--orchestrator <url>', 'orchestrator base URL (default: from the fleet file)').option('--json', 'machine-readable output');

export function releaseCommand(): Command {
  const release = new Command('release').description('digest-pinned releases (orchestrator)');
  common(
    release
      .command('create <name@version>')
      .description('create a release; tags are resolved to digests by the orchestrator, only digests are stored')
      .requiredOption('-c, --component <spec...>', 'name=repository:tag | name=repository@sha256:… (repeatable)')
      .option('--idempotency-key <key>', 'Idempotency-Key (default: a fresh UUID)'),
  ).action(async (ref: string, opts: { component: string[]; orchestrator?: string; json?: boolean; idempotencyKey?: string }) => {
    const out = createOutput(Boolean(opts.json));
    const body = { ...parseReleaseRef(ref), components: opts.component.map(parseComponent) };
    const api = await orchestratorApi(opts.orchestrator);
    await answer(out, async () => {
      const r = (await api.call('POST', '/api/v1/releases', { body, idempotencyKey: opts.idempotencyKey ?? randomUUID() })) as {
        id: string;
        name: string;
        version: string;
        components: Array<{ name: string; repository: string; digest: string }>;
      };
      const human = [`release ${r.name}@${r.version} ${r.id}`, ...r.components.map((c) => `  ${c.name}  ${c.repository}@${c.digest}`)];
      return { human: human.join('\n'), data: r };
    });
  });
  common(release.command('show <name@version>').description('show a release')).action(
    async (ref: string, opts: { orchestrator?: string; json?: boolean }) => {
      const out = createOutput(Boolean(opts.json));
      const { name, version } = parseReleaseRef(ref);
      const api = await orchestratorApi(opts.orchestrator);
      await answer(out, async () => {
        const r = (await api.call('GET', `/api/v1/releases/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`)) as {
          id: string;
          components: Array<{ name: string; repository: string; digest: string }>;
        };
        return { human: [`release ${name}@${version} ${r.id}`, ...r.components.map((c) => `  ${c.name}  ${c.repository}@${c.digest}`)].join('\n'), data: r };
      });
    },
  );
  return release;
}

export function promoteCommand(): Command {
  return common(
    new Command('promote')
      .argument('<name@version>', 'the release')
      .description('request a promotion of a release into an environment (gates run at once)')
      .requiredOption('--to <environment>', 'target environment')
      .option('--comment <text>', 'why')
      .option('--break-glass <reason>', 'promote through a freeze window (needs release:break-glass; recorded)')
      .option('--idempotency-key <key>', 'Idempotency-Key (default: a fresh UUID)'),
  ).action(async (ref: string, opts: { to: string; comment?: string; breakGlass?: string; orchestrator?: string; json?: boolean; idempotencyKey?: string }) => {
    const out = createOutput(Boolean(opts.json));
    const body = {
      release: parseReleaseRef(ref),
      environment: opts.to,
      ...(opts.comment === undefined ? {} : { comment: opts.comment }),
      ...(opts.breakGlass === undefined ? {} : { breakGlass: { reason: opts.breakGlass } }),
    };
    const api = await orchestratorApi(opts.orchestrator);
    await answer(out, async () => {
      const p = (await api.call('POST', '/api/v1/promotions', { body, idempotencyKey: opts.idempotencyKey ?? randomUUID() })) as Promotion;
      return { human: describePromotion(p), data: p };
    });
  });
}

export function approveCommand(): Command {
  return common(
    new Command('approve')
      .argument('<promotion-id>', 'the promotion awaiting approval')
      .description('approve a promotion as the logged-in identity (gates are evaluated again)')
      .option('--comment <text>', 'recorded with the approval')
      .option('--idempotency-key <key>', 'Idempotency-Key (default: a fresh UUID)'),
  ).action(async (id: string, opts: { comment?: string; orchestrator?: string; json?: boolean; idempotencyKey?: string }) => {
    const out = createOutput(Boolean(opts.json));
    const api = await orchestratorApi(opts.orchestrator);
    await answer(out, async () => {
      const p = (await api.call('POST', `/api/v1/promotions/${encodeURIComponent(id)}/approvals`, {
        body: opts.comment === undefined ? {} : { comment: opts.comment },
        idempotencyKey: opts.idempotencyKey ?? randomUUID(),
      })) as Promotion;
      return { human: describePromotion(p), data: p };
    });
  });
}

export function inventoryCommand(): Command {
  return common(
    new Command('inventory')
      .description('what runs in each environment of the path, now or --at an instant; --digest: where an image digest runs')
      .option('--at <rfc3339>', 'an instant in the past (UTC)')
      .option('--digest <sha256>', 'deployments whose release contains this digest'),
  ).action(async (opts: { at?: string; digest?: string; orchestrator?: string; json?: boolean }) => {
    const out = createOutput(Boolean(opts.json));
    const api = await orchestratorApi(opts.orchestrator);
    const query = opts.at === undefined ? '' : `?at=${encodeURIComponent(opts.at)}`;
    type Deployment = { environment: string; release: { name: string; version: string }; deployedAt: string; components: Array<{ name: string; digest: string }> };
    const line = (env: string, d?: Deployment) =>
      d ? `${env.padEnd(8)} ${d.release.name}@${d.release.version}  since ${d.deployedAt}  ${d.components.map((c) => `${c.name}=${c.digest.slice(0, 19)}…`).join(' ')}` : `${env.padEnd(8)} (nothing)`;
    await answer(out, async () => {
      if (opts.digest !== undefined) {
        const r = (await api.call('GET', `/api/v1/inventory/digests/${encodeURIComponent(opts.digest)}${query}`)) as { deployments: Deployment[] };
        return { human: r.deployments.length ? r.deployments.map((d) => line(d.environment, d)).join('\n') : `${opts.digest} runs nowhere`, data: r };
      }
      const r = (await api.call('GET', `/api/v1/inventory${query}`)) as { environments: Array<{ name: string; running?: Deployment }> };
      return { human: r.environments.map((e) => line(e.name, e.running)).join('\n'), data: r };
    });
  });
}

export function auditCommand(): Command {
  const audit = new Command('audit').description("the orchestrator's hash-chained audit log");
  common(audit.command('verify').description('verify the tenant audit chain; names the first broken entry (exit 2 when broken)')).action(
    async (opts: { orchestrator?: string; json?: boolean }) => {
      const out = createOutput(Boolean(opts.json));
      const api = await orchestratorApi(opts.orchestrator);
      await answer(out, async () => {
        const v = (await api.call('GET', '/api/v1/audit/verify')) as {
          valid: boolean;
          tenant: string;
          entriesChecked: number;
          headSeq: number;
          headHash: string;
          firstBroken?: { seq: number; reason: string };
        };
        if (!v.valid) process.exitCode = 2;
        const human = v.valid
          ? `audit chain of ${v.tenant}: intact, ${v.entriesChecked} entries, head ${v.headSeq} ${v.headHash}`
          : `audit chain of ${v.tenant}: BROKEN at entry ${v.firstBroken?.seq} (${v.firstBroken?.reason}), ${v.entriesChecked} entries checked`;
        return { human, data: v };
      });
    },
  );
  return audit;
}
