import { Injectable } from '@nestjs/common';
import { digestOf } from '@stella/canonical';
import {
  POLICY_INPUT_SCHEMA_VERSION,
  type DeltaFinding,
  type PolicyBaseline,
  type PolicyInput,
  type PolicyInputApproval,
  type PolicyInputAttestation,
  type PolicyInputComponent,
  type PolicyInputException,
  type PolicyInputImage,
} from '@stella/policy-engine';
import type { EntityManager } from 'typeorm';
import { IntelClients } from '../clients/intel-clients';
import { isUpstreamError } from '../clients/upstreams';
import { ExceptionsRepository } from '../exceptions/exceptions.repository';
import { BuildFindings, MissingSbomError, VexLookup, type BuiltFindings } from '../findings/build-findings.usecase';
import { findingKey, type FindingsDocument } from '../findings/findings-document';
import { FindingsRepository } from '../findings/findings.repository';
import type { ExceptionRecord } from '../exceptions/exception.model';
import { ReleasesRepository, type ReleaseComponent, type TrackedRelease } from '../releases/releases.repository';

const SLSA_TYPES = ['https://slsa.dev/provenance/v1', 'https://slsa.dev/provenance/v0.2'];

export interface AssembleRequest {
  tenantId: string;
  release: { id: string; name: string; version: string; createdBy: string; components: readonly ReleaseComponent[] };
  environment: string;
  approvals: readonly PolicyInputApproval[];
  evaluationTime: Date;
  /** Findings already computed for some digests (a re-evaluation passes the ones it just built). */
  findings?: ReadonlyMap<string, FindingsDocument>;
  /** Rebuild every image's findings now instead of using the stored current snapshots. */
  refresh?: boolean;
  /** Facts a batch already read (a re-evaluation reads them for every release at once). */
  known?: { exceptions?: ExceptionRecord[]; deployed?: TrackedRelease | null; attestations?: AttestationMemo };
}

/** What the attestor answered for a digest, or why it could not. */
type AttestationAnswer = { items: PolicyInputAttestation[] } | { note: string };

/**
 * Attestations asked once per digest for a whole batch (a re-evaluation round): releases sharing
 * an image share the answer instead of asking the attestor again.
 */
export type AttestationMemo = Map<string, Promise<AttestationAnswer>>;

export interface AssembledInput {
  input: PolicyInput;
  /** Findings snapshots built while assembling, to store with the evaluation. */
  built: BuiltFindings[];
  /** Why parts of the input are missing (the input itself shows them as absent / null). */
  notes: string[];
}

/**
 * Builds the policy input document of a release in an environment: per image its SBOM presence,
 * components and findings (the digest's current findings snapshot, built now if there is none),
 * its attestations, the exceptions in force, and the deployed release as the delta's baseline.
 * Whatever cannot be had is explicit: sbom.present false, feedSnapshotId / vexSnapshotId null,
 * no attestations; the engine turns that into deny or pending (fail closed).
 */
@Injectable()
export class InputAssembler {
  constructor(
    private readonly clients: IntelClients,
    private readonly buildFindings: BuildFindings,
    private readonly findings: FindingsRepository,
    private readonly exceptions: ExceptionsRepository,
    private readonly releases: ReleasesRepository,
  ) {}

  async assemble(request: AssembleRequest, manager?: EntityManager): Promise<AssembledInput> {
    const notes: string[] = [];
    const built: BuiltFindings[] = [];
    const digests = [...new Set(request.release.components.map((c) => c.digest))];
    const docs = await this.findingsFor(digests, request, built, notes);
    const components = await this.componentsOf(docs, built, manager);
    const feedIds = new Set<string>();
    const vexIds: Array<string | null> = [];
    let intelligenceMissing = false;
    const images: PolicyInputImage[] = [];
    const attestations = await this.attestationsFor(digests, notes, request.known?.attestations);
    for (const component of [...request.release.components].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const doc = docs.get(component.digest);
      if (doc === 'unavailable') intelligenceMissing = true;
      const present = doc !== undefined && doc !== 'unavailable' && doc !== 'missing';
      if (present) {
        feedIds.add(doc.feedSnapshotId);
        vexIds.push(doc.vexSnapshotId);
      }
      images.push({
        digest: component.digest,
        name: component.name,
        sbom: present
          ? { present: true, digest: doc.sbomDigest, ...(doc.scannedAt ? { scannedAt: doc.scannedAt } : {}) }
          : { present: false },
        components: present ? (components.get(doc.sbomDigest) ?? []) : [],
        findings: present ? doc.findings : [],
        attestations: attestations.get(component.digest) ?? [],
      });
    }
    let feedSnapshotId: string | null = null;
    if (!intelligenceMissing && feedIds.size === 1) feedSnapshotId = [...feedIds][0]!;
    else if (!intelligenceMissing && feedIds.size > 1) {
      notes.push(`images were matched against ${feedIds.size} feed snapshots`);
      feedSnapshotId = digestOf({ feedSnapshots: [...feedIds].sort() });
    }
    const vexSnapshotId =
      vexIds.length === 0 || vexIds.some((v) => v === null)
        ? null
        : vexIds.length === 1
          ? vexIds[0]!
          : digestOf({ vexSnapshots: [...(vexIds as string[])].sort() });
    if (vexIds.some((v) => v === null)) notes.push('excititor was unavailable for at least one image: no VEX applied');

    const exceptions = await this.exceptionsFor(request, manager);
    const baseline = await this.baselineFor(request, notes, manager);
    const input: PolicyInput = {
      schemaVersion: POLICY_INPUT_SCHEMA_VERSION,
      evaluationTime: request.evaluationTime.toISOString(),
      release: {
        id: request.release.id,
        name: request.release.name,
        version: request.release.version,
        manifestDigest: request.release.id,
        createdBy: request.release.createdBy,
      },
      environment: { name: request.environment },
      images,
      approvals: [...request.approvals].sort((a, b) =>
        a.approver < b.approver ? -1 : a.approver > b.approver ? 1 : a.time < b.time ? -1 : a.time > b.time ? 1 : 0,
      ),
      exceptions,
      feedSnapshotId,
      vexSnapshotId,
      ...(baseline ? { baseline } : {}),
    };
    return { input, built, notes };
  }

  private async findingsFor(
    digests: readonly string[],
    request: AssembleRequest,
    built: BuiltFindings[],
    notes: string[],
  ): Promise<Map<string, FindingsDocument | 'missing' | 'unavailable'>> {
    const out = new Map<string, FindingsDocument | 'missing' | 'unavailable'>();
    const missing = digests.filter((d) => !request.findings?.has(d));
    const stored = request.refresh || missing.length === 0 ? new Map() : await this.findings.currentMany(missing);
    const vex = new VexLookup(this.clients);
    for (const digest of digests) {
      const given = request.findings?.get(digest);
      if (given) {
        out.set(digest, given);
        continue;
      }
      const current = stored.get(digest);
      if (current) {
        out.set(digest, current.document);
        continue;
      }
      try {
        const fresh = await this.buildFindings.compute(digest, vex);
        built.push(fresh);
        out.set(digest, fresh.document);
      } catch (error) {
        if (error instanceof MissingSbomError) {
          notes.push(error.message);
          out.set(digest, 'missing');
        } else if (isUpstreamError(error)) {
          notes.push(`${error.message} (findings of ${digest} unavailable)`);
          // No SBOM and no intelligence: the image is listed without an SBOM and feedSnapshotId is null.
          out.set(digest, 'unavailable');
        } else throw error;
      }
    }
    return out;
  }

  /** The images' components: from the SBOMs just read, else stored once per SBOM digest. */
  private async componentsOf(
    docs: ReadonlyMap<string, FindingsDocument | 'missing' | 'unavailable'>,
    built: readonly BuiltFindings[],
    manager?: EntityManager,
  ): Promise<Map<string, PolicyInputComponent[]>> {
    const out = new Map<string, PolicyInputComponent[]>();
    for (const b of built) if (b.components) out.set(b.document.sbomDigest, b.components);
    const wanted = [...docs.values()]
      .filter((d): d is FindingsDocument => typeof d === 'object')
      .map((d) => d.sbomDigest)
      .filter((s) => !out.has(s));
    for (const [sbom, list] of await this.findings.components(wanted, manager)) out.set(sbom, list);
    return out;
  }

  private async attestationsFor(
    digests: readonly string[],
    notes: string[],
    memo?: AttestationMemo,
  ): Promise<Map<string, PolicyInputAttestation[]>> {
    const out = new Map<string, PolicyInputAttestation[]>();
    if (!this.clients.http.configured('attestor')) {
      notes.push('attestor not configured: no attestations in the input');
      return out;
    }
    for (const digest of digests) {
      let answer = memo?.get(digest);
      if (!answer) {
        answer = this.attestationsOf(digest);
        memo?.set(digest, answer);
      }
      const got = await answer;
      if ('items' in got) out.set(digest, got.items);
      else notes.push(got.note);
    }
    return out;
  }

  private async attestationsOf(digest: string): Promise<AttestationAnswer> {
    try {
      const list = (await this.clients.attestations(digest)) ?? [];
      const items: PolicyInputAttestation[] = [];
      for (const a of list) {
        const builderId = SLSA_TYPES.includes(a.predicateType) ? await this.builderOf(a.attestationId) : undefined;
        items.push({
          predicateType: a.predicateType,
          // The attestor stores only envelopes whose signatures verified against its trust store.
          verified: true,
          ...(a.keyIds[0] ? { signerKeyId: a.keyIds[0] } : {}),
          ...(builderId ? { builderId } : {}),
        });
      }
      items.sort((x, y) => {
        const kx = `${x.predicateType}\u0000${x.signerKeyId ?? ''}\u0000${x.builderId ?? ''}`;
        const ky = `${y.predicateType}\u0000${y.signerKeyId ?? ''}\u0000${y.builderId ?? ''}`;
        return kx < ky ? -1 : kx > ky ? 1 : 0;
      });
      return { items };
    } catch (error) {
      if (!isUpstreamError(error)) throw error;
      return { note: `${error.message} (attestations of ${digest} unavailable)` };
    }
  }

  /** SLSA builder id from the DSSE payload of a provenance attestation. */
  private async builderOf(attestationId: string): Promise<string | undefined> {
    const full = await this.clients.http.json<{ envelope?: { payload?: string } }>(
      'attestor',
      `/api/v1/attestations/${attestationId}`,
    );
    const payload = full?.envelope?.payload;
    if (typeof payload !== 'string') return undefined;
    try {
      const statement = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as {
        predicate?: { runDetails?: { builder?: { id?: unknown } }; builder?: { id?: unknown } };
      };
      const id = statement.predicate?.runDetails?.builder?.id ?? statement.predicate?.builder?.id;
      return typeof id === 'string' ? id : undefined;
    } catch {
      return undefined;
    }
  }

  private async exceptionsFor(request: AssembleRequest, manager?: EntityManager): Promise<PolicyInputException[]> {
    const rows =
      request.known?.exceptions ??
      (await this.exceptions.inForceAt(manager ?? this.exceptions.manager, request.tenantId, request.environment, request.evaluationTime));
    return rows.map((e) => ({
      id: e.id,
      vulnerability: e.vulnerabilityId,
      component: e.component,
      environment: e.environment,
      expiresAt: e.expiresAt.toISOString(),
      requestedBy: e.requestedBy,
      approvedBy: e.approvedBy ? [e.approvedBy] : [],
      reason: e.reason,
    }));
  }

  /** The release deployed in the environment now, as a finding set (absent: nothing deployed, or this very release). */
  private async baselineFor(request: AssembleRequest, notes: string[], manager?: EntityManager): Promise<PolicyBaseline | null> {
    const deployed =
      request.known?.deployed !== undefined ? request.known.deployed : await this.releases.deployedIn(request.tenantId, request.environment, manager);
    if (!deployed || deployed.releaseId === request.release.id) return null;
    const digests = [...new Set(deployed.components.map((c) => c.digest))];
    const snapshots = await this.findings.currentMany(
      digests.filter((d) => !request.findings?.has(d)),
      manager,
    );
    const findings = new Map<string, DeltaFinding>();
    const components = new Set<string>();
    const docs = digests.map((d) => request.findings?.get(d) ?? snapshots.get(d)?.document);
    const sboms = await this.findings.components(
      docs.filter((d): d is FindingsDocument => d !== undefined).map((d) => d.sbomDigest),
      manager,
    );
    for (const [index, digest] of digests.entries()) {
      const snapshot = docs[index];
      if (!snapshot) {
        notes.push(`baseline image ${digest} has no findings snapshot`);
        continue;
      }
      for (const c of sboms.get(snapshot.sbomDigest) ?? []) if (c.purl) components.add(c.purl);
      for (const f of snapshot.findings)
        findings.set(findingKey(f), {
          id: f.id,
          aliases: f.aliases,
          purl: f.purl,
          installedVersion: f.installedVersion,
          severity: f.severity,
          fixAvailable: f.fixAvailable,
          kev: f.kev,
          vex: f.vex?.status ?? null,
        });
    }
    return {
      releaseId: deployed.releaseId,
      findings: [...findings.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, f]) => f),
      components: [...components].sort(),
    };
  }
}
