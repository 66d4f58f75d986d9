import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@stella/auth';
import { OutboxWriter } from '@stella/bus';
import { buildEvent, type AnyCloudEvent } from '@stella/contracts';
import {
  loadAdvisoryPath,
  readSourceFile,
  type ReadResult,
  type ReadSourceOptions,
  type RecordIssue,
} from '@stella/matching';
import { STELLA_CONFIG, ProblemError } from '@stella/platform';
import { lstat, readFile, realpath } from 'node:fs/promises';
import { basename, isAbsolute, resolve, sep } from 'node:path';
import type { EntityManager } from 'typeorm';
import { actorOf } from '../common/actor';
import { CONCELIER_CLOCK, CONCELIER_IDS, type Clock, type IdGenerator } from '../common/ports';
import type { ConcelierConfig } from '../config/concelier-config';
import { AdvisoryStore, type ImportRun, type StoredDocument } from '../persistence/advisory-store';
import { enrichmentChanges, partition, type EnrichmentContent } from './enrichment-changes';
import type { ImportRequest } from './import-request';

/** CloudEvents `source` of everything concelier emits. */
export const CONCELIER_EVENT_SOURCE = '/stella/concelier';
const MAX_STORED_ISSUES = 1000;
const EVENT_CHUNK = 500;

export interface ImportReport {
  readonly importId: string;
  readonly snapshotId: string;
  readonly source: string;
  readonly origin: string;
  readonly recordsRead: number;
  readonly documentsNew: number;
  readonly documentsUnchanged: number;
  readonly recordsRefused: number;
  readonly warnings: number;
  readonly issues: readonly RecordIssue[];
  readonly issuesTruncated: boolean;
}

/**
 * Imports advisories: reads them with the matching library's connectors (every bad record becomes
 * an issue, the rest goes on), stores new and changed documents as new rows, computes the feed
 * snapshot and records one `stella.advisory.upserted` per stored advisory, all in one transaction.
 */
@Injectable()
export class ImportAdvisories {
  constructor(
    @Inject(STELLA_CONFIG) private readonly config: ConcelierConfig,
    @Inject(CONCELIER_CLOCK) private readonly clock: Clock,
    @Inject(CONCELIER_IDS) private readonly ids: IdGenerator,
    private readonly store: AdvisoryStore,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(request: ImportRequest, principal: Principal): Promise<ImportReport> {
    const startedAt = new Date(this.clock.now());
    const { result, origin } = await this.read(request);
    const importId = this.ids.newId();
    const errors = result.issues.filter((i) => i.level === 'error').length;
    return this.store.transaction(async (manager) => {
      await this.store.lockImports(manager);
      const { stored, unchanged } = await this.store.storeRecords(
        manager,
        result.records,
        importId,
        startedAt,
      );
      const snapshot = await this.store.snapshot(manager, importId, startedAt);
      const run: ImportRun = {
        id: importId,
        source: request.source,
        origin,
        requestedBy: actorOf(principal).id,
        tenantId: principal.tenant,
        startedAt,
        finishedAt: new Date(this.clock.now()),
        recordsRead: result.records.length,
        documentsNew: stored.length,
        documentsUnchanged: unchanged,
        recordsRefused: errors,
        issues: result.issues.slice(0, MAX_STORED_ISSUES),
        snapshotId: snapshot.id,
      };
      await this.store.recordImport(manager, run);
      const events = stored.flatMap((doc) => this.eventFor(doc, run, principal));
      // KEV and EPSS change risk, not the affected set: announce which CVEs moved, with the
      // advisories and package keys they touch, so consumers re-evaluate without rescanning.
      for (const doc of stored)
        if (doc.content.kind !== 'advisory')
          events.push(...(await this.enrichmentEvents(manager, doc, doc.content, run, principal)));
      for (let i = 0; i < events.length; i += EVENT_CHUNK)
        await this.outbox.enqueueMany(manager, events.slice(i, i + EVENT_CHUNK));
      return reportOf(run, result.issues);
    });
  }

  private eventFor(doc: StoredDocument, run: ImportRun, principal: Principal): AnyCloudEvent[] {
    if (doc.content.kind !== 'advisory') return [];
    const advisory = doc.content.advisory;
    return [
      buildEvent('stella.advisory.upserted', {
        source: CONCELIER_EVENT_SOURCE,
        tenant: principal.tenant,
        subject: advisory.id,
        time: run.finishedAt,
        data: {
          tenantId: principal.tenant,
          advisoryId: advisory.id,
          source: advisory.source,
          aliases: advisory.aliases.slice(0, 100),
          packageKeys: doc.packageKeys.slice(0, 1000),
          documentHash: doc.contentHash,
          supersedes: doc.supersedes,
          importId: run.id,
          snapshotId: run.snapshotId,
          actor: actorOf(principal),
        },
      }) as AnyCloudEvent,
    ];
  }

  private async enrichmentEvents(
    manager: EntityManager,
    doc: StoredDocument,
    content: EnrichmentContent,
    run: ImportRun,
    principal: Principal,
  ): Promise<AnyCloudEvent[]> {
    const previous = doc.supersedes
      ? await this.store.previousContent(manager, doc.source, doc.key, doc.seq)
      : null;
    const changes = enrichmentChanges(
      previous && previous.kind === content.kind ? (previous as EnrichmentContent) : null,
      content,
    );
    const affected = await this.store.advisoriesByAlias(
      manager,
      changes.map((c) => c.cveId),
    );
    const { parts, unmatched } = partition(changes, affected);
    const asOf = content.kind === 'kev' ? content.dateReleased : content.scoreDate;
    return parts.map(
      (part, index) =>
        buildEvent('stella.advisory.enriched', {
          source: CONCELIER_EVENT_SOURCE,
          tenant: principal.tenant,
          subject: `${content.kind}@${doc.contentHash}`,
          time: run.finishedAt,
          data: {
            tenantId: principal.tenant,
            source: content.kind,
            changes: part.changes,
            advisoryIds: part.advisoryIds,
            packageKeys: part.packageKeys,
            unmatchedChanges: unmatched,
            part: index + 1,
            parts: parts.length,
            documentHash: doc.contentHash,
            asOf: asOf.slice(0, 64),
            supersedes: doc.supersedes,
            importId: run.id,
            snapshotId: run.snapshotId,
            actor: actorOf(principal),
          },
        }) as AnyCloudEvent,
    );
  }

  private readOptions(): ReadSourceOptions {
    return {
      maxRecordBytes: this.config.concelierMaxRecordBytes,
      archive: { maxTotalBytes: this.config.concelierMaxArchiveBytes },
    };
  }

  private async read(request: ImportRequest): Promise<{ result: ReadResult; origin: string }> {
    if (request.path !== undefined) return this.readPath(request);
    if (request.url !== undefined) return this.readUrl(request.url, request);
    const name = request.name ?? defaultName(request.source);
    const bytes =
      request.content !== undefined
        ? Buffer.from(request.content, 'utf8')
        : Buffer.from(request.contentBase64!, 'base64');
    return {
      result: await readSourceFile(request.source, name, bytes, this.readOptions()),
      origin: `upload:${name}`,
    };
  }

  private async readPath(request: ImportRequest): Promise<{ result: ReadResult; origin: string }> {
    const path = request.path!;
    if (isAbsolute(path) || path.split(/[\\/]/).includes('..'))
      throw new ProblemError(400, {
        type: 'import-path-refused',
        title: 'Import path refused',
        detail: 'path must be relative to the import root, without ..',
        field: 'path',
      });
    let root: string;
    let target: string;
    try {
      root = await realpath(resolve(this.config.concelierImportRoot));
      target = await realpath(resolve(root, path));
    } catch {
      throw new ProblemError(404, {
        type: 'import-path-not-found',
        title: 'Import path not found',
        detail: `${path} does not exist under the import root`,
        field: 'path',
      });
    }
    // realpath resolves symlinks: a link pointing out of the root is refused like `..`.
    if (target !== root && !target.startsWith(root + sep))
      throw new ProblemError(400, {
        type: 'import-path-refused',
        title: 'Import path refused',
        detail: `${path} leads outside the import root`,
        field: 'path',
      });
    const info = await lstat(target);
    if (info.isFile() && request.source !== 'auto') {
      return {
        result: await readSourceFile(
          request.source,
          basename(target),
          await readFile(target),
          this.readOptions(),
        ),
        origin: `path:${path}`,
      };
    }
    const loaded = await loadAdvisoryPath(target, this.readOptions());
    return { result: { records: loaded.records, issues: loaded.issues }, origin: `path:${path}` };
  }

  private async readUrl(
    url: string,
    request: ImportRequest,
  ): Promise<{ result: ReadResult; origin: string }> {
    if (!this.config.concelierUrlImport)
      throw new ProblemError(409, {
        type: 'url-import-disabled',
        title: 'URL import is disabled',
        detail:
          'set STELLA_CONCELIER_URL_IMPORT=true and STELLA_CONCELIER_URL_ALLOWLIST to import from URLs; offline installs import files and mirror bundles',
        field: 'url',
      });
    if (!this.config.concelierUrlAllowlist.some((prefix) => url.startsWith(prefix)))
      throw new ProblemError(403, {
        type: 'url-not-allowed',
        title: 'URL not on the allow-list',
        detail: `${url} matches no prefix of STELLA_CONCELIER_URL_ALLOWLIST`,
        field: 'url',
      });
    const response = await fetch(url, {
      signal: AbortSignal.timeout(this.config.concelierUrlTimeoutMs),
      redirect: 'error',
    });
    if (!response.ok || !response.body)
      throw new ProblemError(502, {
        type: 'url-fetch-failed',
        title: 'Download failed',
        detail: `${url} answered ${response.status}`,
      });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > this.config.concelierMaxDownloadBytes)
        throw new ProblemError(413, {
          type: 'download-too-large',
          title: 'Download too large',
          detail: `${url} exceeds ${this.config.concelierMaxDownloadBytes} bytes`,
        });
      chunks.push(Buffer.from(chunk));
    }
    const name = request.name ?? (basename(new URL(url).pathname) || defaultName(request.source));
    return {
      result: await readSourceFile(request.source, name, Buffer.concat(chunks), this.readOptions()),
      origin: `url:${url}`,
    };
  }
}

function defaultName(source: string): string {
  if (source === 'epss') return 'epss.csv';
  if (source === 'npm-legacy') return 'advisories.jsonl';
  if (source === 'debian-list') return 'list';
  return `${source}.json`;
}

export function reportOf(run: ImportRun, issues: readonly RecordIssue[]): ImportReport {
  return {
    importId: run.id,
    snapshotId: run.snapshotId,
    source: run.source,
    origin: run.origin,
    recordsRead: run.recordsRead,
    documentsNew: run.documentsNew,
    documentsUnchanged: run.documentsUnchanged,
    recordsRefused: run.recordsRefused,
    warnings: issues.filter((i) => i.level === 'warning').length,
    issues: issues.slice(0, MAX_STORED_ISSUES),
    issuesTruncated: issues.length > MAX_STORED_ISSUES,
  };
}
