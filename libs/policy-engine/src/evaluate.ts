import { canonicalBytes, digestOf } from '@stella/canonical';
import { SEVERITY_RANK, type CelBindings } from './cel';
import { CompiledPolicyImpl, type CompiledRule } from './compile';
import { cachedReleaseFindingSet, diffIndexed, versionsByPackage } from './delta';
import { PolicyError } from './errors';
import { isPreparedInput, prepareInput, type PreparedInput } from './prepared-input';
import { checkLicense, type LicenseCheck } from './license';
import { packageKey, purlName, purlVersion } from './purl';
import {
  GATE_KINDS,
  POLICY_ENGINE_VERSION,
  POLICY_VERDICT_SCHEMA_VERSION,
  type AppliedException,
  type CompiledPolicy,
  type FindingSeverity,
  type GateAction,
  type GateKind,
  type GateOutcome,
  type GateResult,
  type GatesConfig,
  type PolicyInput,
  type PolicyInputException,
  type PolicyInputFinding,
  type PolicyInputImage,
  type PolicyVerdict,
  type RuleResult,
  type Suppression,
  type UnknownItem,
  type VerdictDecision,
} from './types';

const DAY_MS = 86_400_000;
const UNKNOWN_LABELS: Readonly<Record<UnknownItem['kind'], [string, string]>> = {
  component_without_purl: ['component without purl', 'components without purl'],
  component_without_version: ['component without version', 'components without version'],
  unidentified_binary: ['unidentified binary', 'unidentified binaries'],
  range_not_evaluable: [
    'finding whose ranges cannot be evaluated',
    'findings whose ranges cannot be evaluated',
  ],
  finding_without_vex_or_fix: [
    'finding without VEX or fix information',
    'findings without VEX or fix information',
  ],
  license_unparseable: ['licence that is not an SPDX expression', 'licences that are not SPDX expressions'],
  severity_unknown: ['finding without severity', 'findings without severity'],
};
const LIST_LIMIT = 5;
const DEFAULT_PROVENANCE_TYPES = ['https://slsa.dev/provenance/v1', 'https://slsa.dev/provenance/v0.2'];

/** One finding of one image, with everything the gates need decided once. */
interface Analysed {
  readonly image: PolicyInputImage;
  readonly f: PolicyInputFinding;
  /** `<id> <purl>` */
  readonly ref: string;
  readonly vex: Suppression | null;
  readonly exception: { readonly e: PolicyInputException; readonly s: Suppression } | null;
  /** Severity after the reachability downgrade. */
  readonly severity: FindingSeverity;
  readonly downgrade: Suppression | null;
  readonly grace: Suppression | null;
  /** Not suppressed by VEX or an exception. */
  readonly counted: boolean;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
// Default sort: UTF-16 code unit order, the same as cmp, and faster.
const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort();
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const shortDigest = (digest: string): string => digest.slice(0, 19);
const imageLabel = (image: PolicyInputImage): string => `${image.name} (${shortDigest(image.digest)})`;

function listIds(ids: readonly string[]): string {
  const shown = ids.slice(0, LIST_LIMIT).join(', ');
  return ids.length > LIST_LIMIT ? `${shown} and ${ids.length - LIST_LIMIT} more` : shown;
}

function sortSuppressions(list: Suppression[]): Suppression[] {
  const key = (s: Suppression): string => `${s.finding}\u0000${s.purl}\u0000${s.by}\u0000${s.ref}`;
  const seen = new Map<string, Suppression>();
  for (const s of list) seen.set(key(s), s);
  return [...seen.entries()].sort((a, b) => cmp(a[0], b[0])).map(([, s]) => s);
}

function rank(severity: FindingSeverity): number {
  return SEVERITY_RANK[severity] ?? -1;
}

function exceptionCovers(e: PolicyInputException, f: PolicyInputFinding): boolean {
  if (e.vulnerability !== f.id && !f.aliases.includes(e.vulnerability)) return false;
  return e.component === f.purl || e.component === packageKey(f.purl) || e.component === purlName(f.purl);
}

class GateBuilder {
  private readonly reasons: string[] = [];
  private readonly findings: string[] = [];
  private readonly suppressed: Suppression[] = [];
  private failing = false;
  private pendingReasons: string[] = [];

  constructor(
    readonly id: GateKind,
    readonly action: GateAction,
  ) {}

  fail(reason: string, ids: Iterable<string>): void {
    this.failing = true;
    this.reasons.push(reason);
    for (const id of ids) this.findings.push(id);
  }
  pending(reason: string): void {
    this.pendingReasons.push(reason);
  }
  note(reason: string): void {
    this.reasons.push(reason);
  }
  suppress(list: Iterable<Suppression>): void {
    for (const s of list) this.suppressed.push(s);
  }

  build(passReason: string, informational = false): GateResult {
    let outcome: GateOutcome;
    let reasons: string[];
    if (this.failing) {
      outcome = this.action === 'block' ? 'fail' : 'warn';
      reasons = [...this.reasons, ...this.pendingReasons];
    } else if (this.pendingReasons.length > 0) {
      outcome = this.action === 'block' && !informational ? 'pending' : 'warn';
      reasons = [...this.pendingReasons, ...this.reasons];
    } else {
      outcome = 'pass';
      reasons = [passReason, ...this.reasons];
    }
    return {
      id: this.id,
      outcome,
      action: this.action,
      reasons,
      findings: sortedUnique(this.findings),
      suppressed: sortSuppressions(this.suppressed),
    };
  }
}

interface Context {
  readonly input: PolicyInput;
  readonly gates: GatesConfig;
  readonly now: number;
  readonly analysed: readonly Analysed[];
  /** Reasons the vulnerability gates cannot reach a verdict (fail closed). */
  readonly intelGaps: readonly string[];
  readonly vexAvailable: boolean;
}

function vulnerabilityGate(
  ctx: Context,
  kind: GateKind,
  action: GateAction,
  select: (a: Analysed) => boolean,
  describeFailure: (hits: Analysed[]) => string,
  passReason: string,
  honourGrace: (a: Analysed) => boolean,
): GateResult {
  const gate = new GateBuilder(kind, action);
  const hits: Analysed[] = [];
  for (const a of ctx.analysed) {
    if (!select(a)) continue;
    if (!a.counted) {
      gate.suppress([a.vex ?? a.exception!.s]);
      continue;
    }
    if (a.grace && honourGrace(a)) {
      gate.suppress([a.grace]);
      continue;
    }
    hits.push(a);
  }
  if (hits.length > 0)
    gate.fail(
      describeFailure(hits),
      hits.map((h) => h.f.id),
    );
  for (const gap of ctx.intelGaps) gate.pending(gap);
  if (!ctx.vexAvailable) gate.note('VEX unavailable (no VEX snapshot): no finding was suppressed by VEX');
  return gate.build(passReason);
}

function severityBreakdown(hits: Analysed[]): string {
  const counts = new Map<string, number>();
  for (const h of hits) counts.set(h.severity, (counts.get(h.severity) ?? 0) + 1);
  const parts = [...counts.entries()]
    .sort((a, b) => rank(b[0] as FindingSeverity) - rank(a[0] as FindingSeverity))
    .map(([s, n]) => `${n} ${s}`);
  const reachable = hits.filter((h) => h.f.reachability?.state === 'reachable').length;
  if (reachable > 0) parts.push(`${reachable} reachable`);
  return parts.join(', ');
}

function idsOf(hits: Analysed[]): string[] {
  return sortedUnique(hits.map((h) => h.f.id));
}

function analyse(
  input: PolicyInput,
  gates: GatesConfig,
  now: number,
  vexAvailable: boolean,
  expired: Set<string>,
): Analysed[] {
  const env = input.environment.name;
  const exceptions = input.exceptions.filter((e) => e.environment === env);
  const live = exceptions.filter((e) => Date.parse(e.expiresAt) > now);
  const dead = exceptions.filter((e) => Date.parse(e.expiresAt) <= now);
  const downgradeTo = gates.reachability ? (gates.reachability.downgradeTo ?? 'low') : null;
  const grace = gates.gracePeriod;
  const out: Analysed[] = [];
  for (const image of input.images) {
    for (const f of image.findings) {
      const ref = `${f.id} ${f.purl}`;
      let vex: Suppression | null = null;
      if (vexAvailable && f.vex && (f.vex.status === 'not_affected' || f.vex.status === 'fixed')) {
        vex = {
          finding: f.id,
          purl: f.purl,
          by: 'vex',
          ref:
            f.vex.statementRefs.length > 0
              ? [...f.vex.statementRefs].sort(cmp).join(',')
              : `vex:${f.vex.status}`,
        };
      }
      let exception: Analysed['exception'] = null;
      if (!vex) {
        const e = live.find((x) => exceptionCovers(x, f));
        if (e) exception = { e, s: { finding: f.id, purl: f.purl, by: 'exception', ref: e.id } };
        else for (const x of dead) if (exceptionCovers(x, f)) expired.add(x.id);
      }
      let severity: FindingSeverity = f.severity;
      if (severity === 'unknown' && gates.severity?.unknownSeverityAs)
        severity = gates.severity.unknownSeverityAs;
      let downgrade: Suppression | null = null;
      if (
        downgradeTo &&
        f.reachability?.state === 'unreachable' &&
        f.reachability.evidenceRef &&
        rank(severity) > rank(downgradeTo)
      ) {
        downgrade = { finding: f.id, purl: f.purl, by: 'reachability', ref: f.reachability.evidenceRef };
        severity = downgradeTo;
      }
      let inGrace: Suppression | null = null;
      if (grace && f.publishedAt) {
        const age = now - Date.parse(f.publishedAt);
        if (age < grace.days * DAY_MS) {
          inGrace = { finding: f.id, purl: f.purl, by: 'grace', ref: f.publishedAt };
        }
      }
      out.push({
        image,
        f,
        ref,
        vex,
        exception,
        severity,
        downgrade,
        grace: inGrace,
        counted: !vex && !exception,
      });
    }
  }
  return out;
}

function collectUnknowns(ctx: Context, licenseUnknowns: UnknownItem[]): UnknownItem[] {
  const items = new Map<string, UnknownItem>();
  const add = (item: UnknownItem): void => {
    const key = `${item.kind}\u0000${item.ref}`;
    if (!items.has(key)) items.set(key, item);
  };
  for (const item of componentUnknowns(ctx.input)) add(item);
  for (const a of ctx.analysed) {
    const f = a.f;
    if (!f.rangeEvaluable) {
      add({
        kind: 'range_not_evaluable',
        ref: a.ref,
        why: `the affected ranges of ${f.id} cannot be evaluated for ${f.installedVersion}`,
      });
    }
    if (a.vex) continue;
    const definitiveVex =
      f.vex && (f.vex.status === 'affected' || f.vex.status === 'not_affected' || f.vex.status === 'fixed');
    if (!definitiveVex && !f.fixAvailable && f.fixedVersions.length === 0 && !a.exception) {
      add({
        kind: 'finding_without_vex_or_fix',
        ref: a.ref,
        why: `${f.id}: no VEX statement and no fix information`,
      });
    }
    if (a.severity === 'unknown') {
      add({ kind: 'severity_unknown', ref: a.ref, why: `${f.id} has no severity from any source` });
    }
  }
  for (const item of licenseUnknowns) add(item);
  return [...items.values()].sort((x, y) => cmp(x.kind, y.kind) || cmp(x.ref, y.ref));
}

/** Derived from a frozen (prepared) input only, so the cache can never go stale. */
const componentVersionsCache = new WeakMap<PolicyInput, Map<string, Set<string>>>();

function componentVersionsOf(input: PolicyInput): Map<string, Set<string>> {
  const cached = componentVersionsCache.get(input);
  if (cached) return cached;
  const purls: string[] = [];
  for (const image of input.images)
    for (const c of image.components) if (c.purl !== undefined) purls.push(c.purl);
  const map = versionsByPackage(purls);
  if (Object.isFrozen(input)) componentVersionsCache.set(input, map);
  return map;
}

const licenseMemo = new WeakMap<CompiledPolicyImpl, Map<string, Map<string, LicenseCheck>>>();

function licenseCheck(
  policy: CompiledPolicyImpl,
  env: string,
  expression: string,
  deny: ReadonlySet<string>,
): LicenseCheck {
  let byEnv = licenseMemo.get(policy);
  if (!byEnv) licenseMemo.set(policy, (byEnv = new Map()));
  let memo = byEnv.get(env);
  if (!memo) byEnv.set(env, (memo = new Map()));
  let result = memo.get(expression);
  if (!result) {
    result = checkLicense(expression, deny);
    if (memo.size > 50_000) memo.clear();
    memo.set(expression, result);
  }
  return result;
}

interface LicenseScan {
  readonly offenders: readonly string[];
  readonly details: readonly string[];
  readonly unknowns: readonly UnknownItem[];
}

/** Licence results per frozen (prepared) input and deny list. */
const licenseScanCache = new WeakMap<PolicyInput, Map<string, LicenseScan>>();

function licenseScan(
  policy: CompiledPolicyImpl,
  env: string,
  input: PolicyInput,
  deny: ReadonlySet<string>,
): LicenseScan {
  const key = [...deny].sort().join('\u0000');
  const cached = licenseScanCache.get(input)?.get(key);
  if (cached) return cached;
  const offenders: string[] = [];
  const details: string[] = [];
  const unknowns: UnknownItem[] = [];
  for (const image of input.images) {
    for (const c of image.components) {
      for (const expression of c.licenses ?? []) {
        const r = licenseCheck(policy, env, expression, deny);
        const ref = c.purl ?? c.name;
        if (r.kind === 'denied') {
          offenders.push(ref);
          details.push(`${ref} (${r.licenses.join(', ')})`);
        } else if (r.kind === 'unparseable') {
          unknowns.push({
            kind: 'license_unparseable',
            ref,
            why: `licence "${expression}" is not an SPDX expression`,
          });
        }
      }
    }
  }
  const scan = { offenders, details, unknowns };
  if (Object.isFrozen(input)) {
    let byDeny = licenseScanCache.get(input);
    if (!byDeny) licenseScanCache.set(input, (byDeny = new Map()));
    byDeny.set(key, scan);
  }
  return scan;
}

/** Unknowns that depend on the components only, per frozen (prepared) input. */
const componentUnknownsCache = new WeakMap<PolicyInput, readonly UnknownItem[]>();

function componentUnknowns(input: PolicyInput): readonly UnknownItem[] {
  const cached = componentUnknownsCache.get(input);
  if (cached) return cached;
  const items: UnknownItem[] = [];
  for (const image of input.images) {
    for (const c of image.components) {
      if (!c.identified) {
        items.push({
          kind: 'unidentified_binary',
          ref: c.purl ?? c.name,
          why: `the scanner could not identify ${c.name} in ${image.name}`,
        });
      } else if (!c.purl) {
        items.push({
          kind: 'component_without_purl',
          ref: c.name,
          why: `${c.name} has no package URL: advisories cannot be matched`,
        });
      } else if (!c.version && !purlVersion(c.purl)) {
        items.push({
          kind: 'component_without_version',
          ref: c.purl,
          why: `${c.purl} has no version: ranges cannot be evaluated`,
        });
      }
    }
  }
  if (Object.isFrozen(input)) componentUnknownsCache.set(input, items);
  return items;
}

function evaluateRules(
  rules: readonly CompiledRule[],
  env: string,
  input: PolicyInput,
  analysed: readonly Analysed[],
): RuleResult[] {
  const results: RuleResult[] = [];
  const base: CelBindings = {
    input,
    release: input.release,
    environment: input.environment,
    images: input.images,
    approvals: input.approvals,
    exceptions: input.exceptions,
    now: input.evaluationTime,
  };
  for (const rule of rules) {
    const spec = rule.spec;
    if (spec.environments && !spec.environments.includes(env)) continue;
    const failOutcome = rule.action === 'block' ? 'fail' : 'warn';
    if (rule.cel) {
      const failed: string[] = [];
      let error: string | null = null;
      const run = (bindings: CelBindings, subject: string | null): void => {
        const r = rule.cel!.evaluate(bindings);
        if (!r.ok) {
          if (error === null) error = subject ? ` on ${subject}: ${r.error}` : `: ${r.error}`;
        } else if (!r.value && subject) failed.push(subject);
        else if (!r.value) failed.push('release');
      };
      if (rule.cel.scope === 'release') run(base, null);
      else if (rule.cel.scope === 'image') {
        const scoped: CelBindings = { ...base };
        for (const image of input.images) {
          scoped.image = image;
          run(scoped, image.digest);
        }
      } else {
        // One bindings object for the whole loop: evaluation is synchronous and keeps no reference.
        const scoped: CelBindings = { ...base };
        for (const a of analysed) {
          if (!a.counted) continue;
          scoped.image = a.image;
          scoped.finding = a.f;
          run(scoped, a.ref);
        }
      }
      if (error !== null) {
        results.push({
          id: spec.id,
          language: 'cel',
          outcome: 'error',
          message: `rule ${spec.id} could not be evaluated${String(error)}; denied (fail closed)`,
          subjects: sortedUnique(failed),
        });
      } else if (failed.length > 0) {
        const subjects = sortedUnique(failed);
        const what = rule.cel.scope === 'release' ? '' : `: ${listIds(subjects)}`;
        results.push({
          id: spec.id,
          language: 'cel',
          outcome: failOutcome,
          message: `${spec.message ?? `rule ${spec.id} is not satisfied`}${what}`,
          subjects: rule.cel.scope === 'release' ? [] : subjects,
        });
      } else {
        results.push({
          id: spec.id,
          language: 'cel',
          outcome: 'pass',
          message: spec.description ?? `rule ${spec.id} holds`,
          subjects: [],
        });
      }
    } else if (rule.rego) {
      const r = rule.rego.evaluate(input);
      if (!r.ok) {
        results.push({
          id: spec.id,
          language: 'rego',
          outcome: 'error',
          message: `rule ${spec.id}: ${r.error}; denied (fail closed)`,
          subjects: [],
        });
      } else if (!r.allow) {
        const reasons = r.reasons.length > 0 ? `: ${r.reasons.join('; ')}` : '';
        results.push({
          id: spec.id,
          language: 'rego',
          outcome: failOutcome,
          message: `${spec.message ?? `rule ${spec.id} (${rule.rego.entrypoint}) denies`}${reasons}`,
          subjects: [],
        });
      } else {
        results.push({
          id: spec.id,
          language: 'rego',
          outcome: 'pass',
          message: spec.description ?? `${rule.rego.entrypoint} allows`,
          subjects: [],
        });
      }
    }
  }
  return results;
}

/**
 * Evaluates a compiled policy over an input document (or one `prepareInput` validated and digested
 * already). Pure and synchronous: the same policy and
 * input give a byte-identical verdict (`verdictBytes`). Throws PolicyError `INPUT_SCHEMA` for an
 * invalid input (including exceptions without expiry or self-approved) and `ENVIRONMENT_UNBOUND`
 * when the policy does not bind the input's environment.
 */
export function evaluatePolicy(policy: CompiledPolicy, rawInput: PolicyInput | PreparedInput): PolicyVerdict {
  if (!(policy instanceof CompiledPolicyImpl)) {
    throw new TypeError('evaluatePolicy needs a policy made by compilePolicy');
  }
  const prepared = isPreparedInput(rawInput) ? rawInput : prepareInput(rawInput);
  const input = prepared.input;
  const env = input.environment.name;
  const gates = policy.gatesByEnvironment.get(env);
  if (!gates) {
    throw new PolicyError('ENVIRONMENT_UNBOUND', `policy ${policy.name} does not bind environment ${env}`, [
      {
        path: 'environment/name',
        message: `not bound by the policy (it binds: ${policy.environments.join(', ')})`,
      },
    ]);
  }
  const inputDigest = prepared.digest;
  const now = Date.parse(input.evaluationTime);
  const vexAvailable = input.vexSnapshotId !== null;
  const expired = new Set<string>();
  const analysed = analyse(input, gates, now, vexAvailable, expired);

  const intelGaps: string[] = [];
  if (input.feedSnapshotId === null) {
    intelGaps.push(
      'vulnerability intelligence unavailable (no feed snapshot): the findings cannot be trusted as complete',
    );
  }
  for (const image of input.images) {
    if (!image.sbom.present)
      intelGaps.push(`no SBOM for ${imageLabel(image)}: its vulnerabilities are unknown`);
  }
  if (input.images.length === 0) intelGaps.push('the release has no images');
  const ctx: Context = { input, gates, now, analysed, intelGaps, vexAvailable };

  const results = new Map<GateKind, GateResult>();
  const licenseUnknowns: UnknownItem[] = [];

  if (gates.sbom) {
    const gate = new GateBuilder('sbom', gates.sbom.action ?? 'block');
    const missing = input.images.filter((i) => !i.sbom.present);
    if (missing.length > 0) {
      gate.fail(
        `no SBOM for ${plural(missing.length, 'image')}: ${listIds(missing.map(imageLabel))}`,
        missing.map((i) => i.digest),
      );
    }
    if (input.images.length === 0) gate.pending('the release has no images');
    results.set('sbom', gate.build(`every image has an SBOM (${plural(input.images.length, 'image')})`));
  }

  if (gates.scanAge) {
    const cfg = gates.scanAge;
    const gate = new GateBuilder('scanAge', cfg.action ?? 'block');
    const unscanned = input.images.filter((i) => !i.sbom.present || !i.sbom.scannedAt);
    const stale = input.images.filter(
      (i) => i.sbom.present && i.sbom.scannedAt && now - Date.parse(i.sbom.scannedAt) > cfg.maxDays * DAY_MS,
    );
    if (unscanned.length > 0) {
      gate.fail(
        `no scan time for ${listIds(unscanned.map(imageLabel))}`,
        unscanned.map((i) => i.digest),
      );
    }
    if (stale.length > 0) {
      const ages = stale.map(
        (i) =>
          `${imageLabel(i)} scanned ${Math.floor((now - Date.parse(i.sbom.scannedAt!)) / DAY_MS)} days ago`,
      );
      gate.fail(
        `${plural(stale.length, 'image')} scanned more than ${cfg.maxDays} days ago: ${listIds(ages)}`,
        stale.map((i) => i.digest),
      );
    }
    results.set('scanAge', gate.build(`every image was scanned within ${cfg.maxDays} days`));
  }

  if (gates.signature) {
    const cfg = gates.signature;
    const gate = new GateBuilder('signature', cfg.action ?? 'block');
    const unsigned: string[] = [];
    const details: string[] = [];
    for (const image of input.images) {
      const relevant = image.attestations.filter(
        (a) => !cfg.predicateTypes || cfg.predicateTypes.includes(a.predicateType),
      );
      const good = relevant.some(
        (a) =>
          a.verified &&
          (!cfg.trustedKeyIds || (a.signerKeyId !== undefined && cfg.trustedKeyIds.includes(a.signerKeyId))),
      );
      if (good) continue;
      unsigned.push(image.digest);
      if (relevant.length === 0) details.push(`${imageLabel(image)}: no attestation`);
      else if (!relevant.some((a) => a.verified))
        details.push(`${imageLabel(image)}: attestations present but none verifies against the trusted keys`);
      else details.push(`${imageLabel(image)}: signed by a key that is not trusted by this policy`);
    }
    if (unsigned.length > 0)
      gate.fail(
        `no verified signature for ${plural(unsigned.length, 'image')}: ${listIds(details)}`,
        unsigned,
      );
    if (input.images.length === 0) gate.pending('the release has no images');
    results.set('signature', gate.build('every image has a verified signature'));
  }

  if (gates.provenance) {
    const cfg = gates.provenance;
    const types = cfg.predicateTypes ?? DEFAULT_PROVENANCE_TYPES;
    const gate = new GateBuilder('provenance', cfg.action ?? 'block');
    const bad: string[] = [];
    const details: string[] = [];
    for (const image of input.images) {
      const prov = image.attestations.filter((a) => types.includes(a.predicateType));
      if (
        prov.some((a) => a.verified && a.builderId !== undefined && cfg.allowedBuilders.includes(a.builderId))
      )
        continue;
      bad.push(image.digest);
      if (prov.length === 0) details.push(`${imageLabel(image)}: no SLSA provenance`);
      else if (!prov.some((a) => a.verified)) details.push(`${imageLabel(image)}: provenance not verified`);
      else {
        const builders = sortedUnique(
          prov.filter((a) => a.verified).map((a) => a.builderId ?? 'no builder id'),
        );
        details.push(`${imageLabel(image)}: builder ${builders.join(', ')} is not allowed`);
      }
    }
    if (bad.length > 0)
      gate.fail(
        `no SLSA provenance from an allowed builder for ${plural(bad.length, 'image')}: ${listIds(details)}`,
        bad,
      );
    if (input.images.length === 0) gate.pending('the release has no images');
    results.set('provenance', gate.build(`every image has verified provenance from an allowed builder`));
  }

  if (gates.severity) {
    const cfg = gates.severity;
    const threshold = rank(cfg.threshold);
    const select = (a: Analysed): boolean =>
      rank(a.severity) >= threshold ||
      (cfg.cvss !== undefined && !a.downgrade && (a.f.cvss ?? -1) >= cfg.cvss);
    const bar = cfg.cvss !== undefined ? `${cfg.threshold} (or CVSS ${cfg.cvss})` : cfg.threshold;
    results.set(
      'severity',
      vulnerabilityGate(
        ctx,
        'severity',
        cfg.action ?? 'block',
        select,
        (hits) =>
          `${plural(idsOf(hits).length, 'vulnerability', 'vulnerabilities')} at or above ${bar} without VEX or exception (${severityBreakdown(hits)}): ${listIds(idsOf(hits))}`,
        `no vulnerability at or above ${bar} outside VEX and exceptions`,
        () => true,
      ),
    );
  }

  if (gates.kev) {
    const exceptKev = gates.gracePeriod?.exceptKev ?? true;
    results.set(
      'kev',
      vulnerabilityGate(
        ctx,
        'kev',
        gates.kev.action ?? 'block',
        (a) => a.f.kev,
        (hits) =>
          `${plural(idsOf(hits).length, 'known exploited vulnerability', 'known exploited vulnerabilities')} (CISA KEV): ${listIds(idsOf(hits))}`,
        'no known exploited vulnerability (CISA KEV) outside VEX and exceptions',
        () => !exceptKev,
      ),
    );
  }

  if (gates.fixAvailable) {
    const min = rank(gates.fixAvailable.minSeverity ?? 'none');
    results.set(
      'fixAvailable',
      vulnerabilityGate(
        ctx,
        'fixAvailable',
        gates.fixAvailable.action ?? 'block',
        (a) => a.f.fixAvailable && rank(a.severity) >= min,
        (hits) =>
          `${plural(idsOf(hits).length, 'vulnerability', 'vulnerabilities')} with a fix available (${severityBreakdown(hits)}): ${listIds(
            sortedUnique(
              hits.map((h) => `${h.f.id} (${purlName(h.f.purl)} -> ${h.f.fixedVersions[0] ?? 'fixed'})`),
            ),
          )}`,
        'no unfixed vulnerability with a fix available',
        () => true,
      ),
    );
  }

  if (gates.epss) {
    const threshold = gates.epss.threshold;
    results.set(
      'epss',
      vulnerabilityGate(
        ctx,
        'epss',
        gates.epss.action ?? 'block',
        (a) => a.f.epss !== undefined && a.f.epss >= threshold,
        (hits) =>
          `${plural(idsOf(hits).length, 'vulnerability', 'vulnerabilities')} with EPSS at or above ${threshold}: ${listIds(idsOf(hits))}`,
        `no vulnerability with EPSS at or above ${threshold}`,
        () => true,
      ),
    );
  }

  if (gates.gracePeriod) {
    const gate = new GateBuilder('gracePeriod', 'warn');
    const inGrace = analysed.filter((a) => a.counted && a.grace);
    gate.suppress(inGrace.map((a) => a.grace!));
    if (inGrace.length > 0) {
      gate.fail(
        `${plural(idsOf(inGrace).length, 'advisory', 'advisories')} published less than ${gates.gracePeriod.days} days ago not blocking yet: ${listIds(idsOf(inGrace))}`,
        inGrace.map((a) => a.f.id),
      );
    }
    results.set(
      'gracePeriod',
      gate.build(`no advisory within the ${gates.gracePeriod.days}-day grace period`),
    );
  }

  if (gates.reachability) {
    const gate = new GateBuilder('reachability', 'warn');
    const downgraded = analysed.filter((a) => a.downgrade);
    gate.suppress(downgraded.map((a) => a.downgrade!));
    const unproven = analysed.filter(
      (a) => a.f.reachability?.state === 'unreachable' && !a.f.reachability.evidenceRef,
    );
    if (downgraded.length > 0) {
      gate.note(
        `${plural(idsOf(downgraded).length, 'finding')} downgraded to ${gates.reachability.downgradeTo ?? 'low'}: unreachable with evidence`,
      );
    }
    if (unproven.length > 0) {
      gate.note(
        `${plural(idsOf(unproven).length, 'finding')} marked unreachable without evidence: not downgraded`,
      );
    }
    const reachable = analysed.filter((a) => a.counted && a.f.reachability?.state === 'reachable');
    if (reachable.length > 0)
      gate.note(`${plural(idsOf(reachable).length, 'finding')} reachable: ${listIds(idsOf(reachable))}`);
    results.set('reachability', gate.build('reachability applied'));
  }

  if (gates.licenses) {
    const cfg = gates.licenses;
    const deny = new Set(cfg.deny.map((d) => d.toLowerCase()));
    const gate = new GateBuilder('licenses', cfg.action ?? 'block');
    const scan = licenseScan(policy, env, input, deny);
    const { offenders, details } = scan;
    licenseUnknowns.push(...scan.unknowns);
    if (offenders.length > 0) {
      const unique = sortedUnique(details);
      gate.fail(
        `${plural(sortedUnique(offenders).length, 'component')} under a denied licence: ${listIds(unique)}`,
        offenders,
      );
    }
    for (const image of input.images)
      if (!image.sbom.present) gate.pending(`no SBOM for ${imageLabel(image)}: its licences are unknown`);
    results.set('licenses', gate.build(`no component requires a denied licence (${cfg.deny.join(', ')})`));
  }

  const unknownItems = collectUnknowns(ctx, licenseUnknowns);
  if (gates.unknowns) {
    const cfg = gates.unknowns;
    const gate = new GateBuilder('unknowns', cfg.action ?? 'block');
    if (unknownItems.length > cfg.budget) {
      const byKind = new Map<string, number>();
      for (const item of unknownItems) byKind.set(item.kind, (byKind.get(item.kind) ?? 0) + 1);
      const parts = [...byKind.entries()].map(([k, n]) => {
        const [one, many] = UNKNOWN_LABELS[k as UnknownItem['kind']];
        return plural(n, one, many);
      });
      gate.fail(
        `${plural(unknownItems.length, 'unknown')} exceed the budget of ${cfg.budget}: ${parts.join(', ')}`,
        unknownItems.map((i) => i.ref),
      );
    }
    for (const image of input.images)
      if (!image.sbom.present)
        gate.pending(`no SBOM for ${imageLabel(image)}: its unknowns cannot be counted`);
    results.set(
      'unknowns',
      gate.build(`${plural(unknownItems.length, 'unknown')} within the budget of ${cfg.budget}`),
    );
  }

  if (gates.approvals) {
    const cfg = gates.approvals;
    const excludeCreator = cfg.excludeCreator ?? true;
    const gate = new GateBuilder('approvals', cfg.action ?? 'block');
    const approvers = sortedUnique(
      input.approvals.map((a) => a.approver).filter((a) => !excludeCreator || a !== input.release.createdBy),
    );
    if (approvers.length < cfg.min) {
      const creator =
        excludeCreator && input.approvals.some((a) => a.approver === input.release.createdBy)
          ? ` (the creator ${input.release.createdBy} does not count)`
          : '';
      gate.pending(`awaiting approvals: ${approvers.length} of ${cfg.min} distinct approvers${creator}`);
    }
    results.set(
      'approvals',
      gate.build(
        `${plural(approvers.length, 'distinct approver')} (${cfg.min} needed): ${approvers.join(', ')}`,
      ),
    );
  }

  const gateResults = GATE_KINDS.filter((k) => results.has(k)).map((k) => results.get(k)!);
  const rules = evaluateRules(policy.rules, env, input, analysed);

  let verdict: VerdictDecision = 'allow';
  const failing = gateResults.filter((g) => g.outcome === 'fail');
  const failingRules = rules.filter((r) => r.outcome === 'fail' || r.outcome === 'error');
  const pendingGates = gateResults.filter((g) => g.outcome === 'pending');
  if (failing.length > 0 || failingRules.length > 0) verdict = 'deny';
  else if (pendingGates.length > 0) verdict = 'pending';

  const applied = new Map<string, { e: PolicyInputException; refs: string[] }>();
  for (const a of analysed) {
    if (!a.exception) continue;
    const entry = applied.get(a.exception.e.id) ?? { e: a.exception.e, refs: [] };
    entry.refs.push(a.ref);
    applied.set(a.exception.e.id, entry);
  }
  const exceptionsApplied: AppliedException[] = [...applied.values()]
    .sort((x, y) => cmp(x.e.id, y.e.id))
    .map(({ e, refs }) => ({
      id: e.id,
      vulnerability: e.vulnerability,
      component: e.component,
      expiresAt: e.expiresAt,
      approvedBy: sortedUnique(e.approvedBy),
      suppressed: sortedUnique(refs),
    }));

  const summary = summarise(verdict, failing, failingRules, pendingGates, gateResults, rules, analysed);
  const delta = input.baseline
    ? {
        baselineReleaseId: input.baseline.releaseId,
        ...diffIndexed(cachedReleaseFindingSet(input), input.baseline, componentVersionsOf(input)),
      }
    : null;

  return {
    schemaVersion: POLICY_VERDICT_SCHEMA_VERSION,
    engineVersion: POLICY_ENGINE_VERSION,
    policyHash: policy.policyHash,
    policy: { name: policy.name, version: policy.version },
    inputDigest,
    evaluationTime: input.evaluationTime,
    release: { id: input.release.id, manifestDigest: input.release.manifestDigest },
    environment: env,
    verdict,
    summary,
    gates: gateResults,
    rules,
    unknowns: { count: unknownItems.length, budget: gates.unknowns?.budget ?? null, items: unknownItems },
    delta,
    exceptionsApplied,
    exceptionsExpired: sortedUnique(expired),
  };
}

function summarise(
  verdict: VerdictDecision,
  failing: GateResult[],
  failingRules: RuleResult[],
  pending: GateResult[],
  gates: GateResult[],
  rules: RuleResult[],
  analysed: readonly Analysed[],
): string {
  const more = (n: number, names: string[]): string => (n > 0 ? ` (and ${n} more: ${names.join(', ')})` : '');
  if (verdict === 'deny') {
    const headlines = [
      ...failing.map((g) => ({ name: g.id, line: g.reasons[0] ?? g.id })),
      ...failingRules.map((r) => ({ name: `rule ${r.id}`, line: r.message })),
    ];
    const [first, ...rest] = headlines;
    return `blocked: ${first!.line}${more(
      rest.length,
      rest.map((h) => h.name),
    )}`;
  }
  if (verdict === 'pending') {
    const [first, ...rest] = pending;
    return `pending: ${first!.reasons[0] ?? first!.id}${more(
      rest.length,
      rest.map((g) => g.id),
    )}`;
  }
  const vex = new Set(analysed.filter((a) => a.vex).map((a) => a.ref)).size;
  const exc = new Set(analysed.filter((a) => a.exception).map((a) => a.ref)).size;
  const warns = [
    ...gates.filter((g) => g.outcome === 'warn').map((g) => g.id),
    ...rules.filter((r) => r.outcome === 'warn').map((r) => `rule ${r.id}`),
  ];
  const parts = [
    `every blocking gate and rule passed (${plural(gates.length, 'gate')}, ${plural(rules.length, 'rule')})`,
  ];
  if (vex > 0) parts.push(`${plural(vex, 'finding')} suppressed by VEX`);
  if (exc > 0) parts.push(`${plural(exc, 'finding')} waived by exceptions`);
  if (warns.length > 0) parts.push(`warnings: ${warns.join(', ')}`);
  return `allowed: ${parts.join('; ')}`;
}

/** The RFC 8785 canonical JSON bytes of a verdict: what is hashed, signed and compared on replay. */
export function verdictBytes(verdict: PolicyVerdict): Uint8Array {
  return canonicalBytes(verdict);
}

/** `sha256:<hex>` of the canonical JSON of an input. */
export function inputDigest(input: PolicyInput): string {
  return digestOf(input);
}
