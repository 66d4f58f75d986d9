import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@stella/auth';
import { OutboxWriter } from '@stella/bus';
import { canonicalize, sha256Digest } from '@stella/canonical';
import { buildEvent, type AnyCloudEvent } from '@stella/contracts';
import { STELLA_CONFIG } from '@stella/platform';
import { actorOf } from '../common/actor';
import { EXCITITOR_CLOCK, type Clock } from '../common/ports';
import type { ExcititorConfig, IssuerConfig } from '../config/excititor-config';
import { IssuerRegistry } from '../issuers/issuer-registry';
import { computeConsensus, type ConsensusStatus } from '../consensus/consensus';
import { issued } from '../consensus/issued';
import type { VexIssue } from '../formats/model';
import { parseVexDocument } from '../formats/parse-vex';
import { lookupKeys } from '../formats/product-key';
import { VexSchemas } from '../formats/schema-validators';
import { VexStore } from '../persistence/vex-store';
import type { IngestRequest } from './ingest-request';
import { unwrapSigned } from './unwrap-signed';

export const EXCITITOR_EVENT_SOURCE = '/stella/excititor';
const MAX_EVENT_PAIRS = 5000;

export interface ConsensusChange {
  readonly vulnerabilityId: string;
  readonly productKey: string;
  readonly status: ConsensusStatus;
  readonly previousStatus: ConsensusStatus | null;
}

export interface DocumentResult {
  readonly name: string;
  readonly outcome: 'stored' | 'unchanged' | 'refused';
  readonly documentHash?: string;
  readonly documentId?: string;
  readonly format?: string;
  readonly issuer?: string;
  readonly signed?: boolean;
  readonly statements?: number;
  readonly changes?: readonly ConsensusChange[];
  readonly issues: readonly VexIssue[];
}

/**
 * Ingests VEX documents one by one (a refused document never affects the others): unwrap and
 * verify DSSE, validate against the format's schema, normalise statements, store them immutably,
 * and record a `stella.vex.updated` per (vulnerability, product) the document speaks about, in the
 * same transaction as the document.
 */
@Injectable()
export class IngestVex {
  private readonly schemas = new VexSchemas();

  constructor(
    @Inject(STELLA_CONFIG) private readonly config: ExcititorConfig,
    @Inject(EXCITITOR_CLOCK) private readonly clock: Clock,
    private readonly store: VexStore,
    private readonly outbox: OutboxWriter,
    private readonly issuers: IssuerRegistry,
  ) {}

  async execute(request: IngestRequest, principal: Principal): Promise<DocumentResult[]> {
    const results: DocumentResult[] = [];
    for (const [index, item] of request.documents.entries())
      results.push(await this.ingestOne(item, item.name ?? `documents[${index}]`, principal));
    return results;
  }

  private async ingestOne(
    item: IngestRequest['documents'][number],
    name: string,
    principal: Principal,
  ): Promise<DocumentResult> {
    const refuse = (code: VexIssue['code'], message: string, field?: string): DocumentResult => ({
      name,
      outcome: 'refused',
      issues: [
        { level: 'error', code, document: name, ...(field ? { field } : {}), message: `${name}: ${message}` },
      ],
    });
    const content = item.content ?? canonicalize(item.document);
    if (Buffer.byteLength(content, 'utf8') > this.config.excititorMaxDocumentBytes)
      return refuse(
        'DOCUMENT_TOO_LARGE',
        `over the ${this.config.excititorMaxDocumentBytes}-byte document limit`,
      );
    let value: unknown = item.document;
    if (item.content !== undefined) {
      try {
        value = JSON.parse(item.content);
      } catch (error) {
        return refuse('MALFORMED_JSON', (error as Error).message, 'content');
      }
    }
    const unwrapped = await unwrapSigned(value, this.issuers.all());
    if ('error' in unwrapped) return refuse('SIGNATURE_INVALID', unwrapped.error);
    const parsed = parseVexDocument(unwrapped.document, name, this.schemas, item.format);
    if (!parsed.document) return { name, outcome: 'refused', issues: parsed.issues };
    const doc = parsed.document;
    const issues = [...parsed.issues];

    let issuer: IssuerConfig | undefined;
    if (unwrapped.signed) issuer = this.issuers.find(unwrapped.issuerId);
    else {
      issuer = this.issuers.byAuthor(doc.author);
      if (issuer?.requireSignature)
        return refuse(
          'SIGNATURE_INVALID',
          `issuer ${issuer.id} requires DSSE-signed VEX; this document is unsigned`,
        );
    }
    const issuerId = issuer?.id ?? `unknown:${doc.author.slice(0, 200)}`;
    if (!issuer)
      issues.push({
        level: 'warning',
        code: 'UNKNOWN_ISSUER',
        document: name,
        message: `${name}: author "${doc.author.slice(0, 200)}" is no known issuer (configured or registered): its statements are stored with trust 0 (listed, never used)`,
      });

    const documentHash = sha256Digest(content);
    const now = new Date(this.clock.now());
    const statements = doc.statements.map((s) => (s.timestamp ? s : { ...s, timestamp: now.toISOString() }));
    return this.store.transaction(async (manager) => {
      const seq = await this.store.insertDocument(manager, {
        documentHash,
        documentId: doc.documentId.slice(0, 2000),
        format: doc.format,
        author: doc.author.slice(0, 500),
        issuer: issuerId,
        signed: unwrapped.signed,
        keyIds: unwrapped.signed ? unwrapped.keyIds : [],
        content,
        ingestedAt: now,
        ingestedBy: actorOf(principal).id,
        tenantId: principal.tenant,
      });
      const base = {
        name,
        documentHash,
        documentId: doc.documentId,
        format: doc.format,
        issuer: issuerId,
        signed: unwrapped.signed,
        statements: statements.length,
        issues,
      };
      if (seq === null) return { ...base, outcome: 'unchanged' as const, changes: [] };
      await this.store.insertStatements(manager, seq, statements);
      const pairs = new Map<string, { vulnerabilityId: string; productKey: string }>();
      for (const s of statements)
        pairs.set(`${s.vulnerabilityId}\u0000${s.productKey}`, {
          vulnerabilityId: s.vulnerabilityId,
          productKey: s.productKey,
        });
      const changes: ConsensusChange[] = [];
      const events: AnyCloudEvent[] = [];
      const selected = [...pairs.values()].slice(0, MAX_EVENT_PAIRS);
      const related = issued(
        (id) => this.issuers.trustOf(id),
        await this.store.statementsForPairs(
          [...new Set(selected.map((p) => p.vulnerabilityId))],
          [...new Set(selected.flatMap((p) => lookupKeys(p.productKey)))],
          manager,
        ),
      );
      for (const pair of selected) {
        const keys = lookupKeys(pair.productKey);
        const all = related.filter(
          (s) =>
            keys.includes(s.productKey) &&
            (s.vulnerabilityId === pair.vulnerabilityId || s.aliases.includes(pair.vulnerabilityId)),
        );
        const earlier = all.filter((s) => s.documentSeq !== seq);
        const after = computeConsensus(pair.vulnerabilityId, pair.productKey, all).status;
        const before =
          earlier.length > 0 ? computeConsensus(pair.vulnerabilityId, pair.productKey, earlier).status : null;
        changes.push({ ...pair, status: after, previousStatus: before });
        if (pair.vulnerabilityId.length > 200 || pair.productKey.length > 2000) continue;
        events.push(
          buildEvent('stella.vex.updated', {
            source: EXCITITOR_EVENT_SOURCE,
            tenant: principal.tenant,
            subject: pair.vulnerabilityId,
            time: now,
            data: {
              tenantId: principal.tenant,
              vulnerabilityId: pair.vulnerabilityId,
              productKey: pair.productKey,
              status: after,
              previousStatus: before,
              documentId: doc.documentId.slice(0, 200),
              documentHash,
              actor: actorOf(principal),
            },
          }) as AnyCloudEvent,
        );
      }
      for (let i = 0; i < events.length; i += 500)
        await this.outbox.enqueueMany(manager, events.slice(i, i + 500));
      return { ...base, outcome: 'stored' as const, changes };
    });
  }
}
