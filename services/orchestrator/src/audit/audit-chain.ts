import { canonicalize, digestOf, sha256Digest, type Sha256Digest } from '@stella/canonical';

/**
 * The audit chain of a tenant: entry n carries the hash of entry n-1, so changing, removing or
 * reordering any entry breaks every hash after it. Pure functions: the service, the verify
 * endpoint, the chainer (audit-chainer.ts) and offline tools (verify-audit-cli) share them.
 *
 *   entryHash = sha256("stella-audit-v1\n" + tenant + "\n" + seq + "\n" + prevHash + "\n" + contentDigest)
 *   contentDigest = sha256(content), content = RFC 8785 canonical JSON of the entry
 */
export const AUDIT_HASH_DOMAIN = 'stella-audit-v1';
export const AUDIT_GENESIS_HASH: Sha256Digest = `sha256:${'0'.repeat(64)}`;

export function auditEntryHash(tenant: string, seq: number, prevHash: string, contentDigest: string): Sha256Digest {
  return sha256Digest(`${AUDIT_HASH_DOMAIN}\n${tenant}\n${seq}\n${prevHash}\n${contentDigest}`);
}

/** What an entry says. `data` holds the facts of the change (ids, states, digests), never secrets. */
export interface AuditEntryContent {
  action: string;
  subject: { type: string; id: string };
  actor: string;
  at: string;
  data: Record<string, unknown>;
}

export function auditContent(entry: AuditEntryContent): { content: string; contentDigest: Sha256Digest } {
  return { content: canonicalize(entry), contentDigest: digestOf(entry) };
}

/** A stored entry as read back for verification. */
export interface AuditRow {
  seq: number;
  action: string;
  subjectType: string;
  subjectId: string;
  actor: string;
  content: string;
  contentDigest: string;
  prevHash: string;
  entryHash: string;
}

export type AuditBreakReason =
  | 'sequence-gap'
  | 'content-not-canonical'
  | 'content-digest-mismatch'
  | 'columns-disagree-with-content'
  | 'prev-hash-mismatch'
  | 'entry-hash-mismatch'
  | 'head-mismatch';

export interface AuditBreak {
  /** The first entry that does not verify (for a missing tail: the first missing sequence number). */
  seq: number;
  reason: AuditBreakReason;
  detail: string;
}

export interface AuditVerification {
  valid: boolean;
  tenant: string;
  entriesChecked: number;
  /** Hash of the last verified entry: compare it with an externally anchored copy. */
  headSeq: number;
  headHash: string;
  firstBroken?: AuditBreak;
}

/**
 * Incremental verifier: feed rows in sequence order (any batch size), then `finish` with the
 * stored head. Stops at the first broken entry.
 */
export class AuditChainVerifier {
  private expectedSeq = 1;
  private prevHash: string = AUDIT_GENESIS_HASH;
  private checked = 0;
  private broken: AuditBreak | undefined;

  constructor(private readonly tenant: string) {}

  get firstBroken(): AuditBreak | undefined {
    return this.broken;
  }

  /** Returns false once the chain is broken (no need to read further). */
  push(row: AuditRow): boolean {
    if (this.broken) return false;
    this.broken = this.check(row);
    if (this.broken) return false;
    this.checked += 1;
    this.expectedSeq = row.seq + 1;
    this.prevHash = row.entryHash;
    return true;
  }

  finish(head: { lastSeq: number; lastHash: string } | undefined): AuditVerification {
    if (!this.broken && head && (head.lastSeq !== this.expectedSeq - 1 || head.lastHash !== this.prevHash)) {
      this.broken = {
        seq: Math.min(head.lastSeq, this.expectedSeq),
        reason: 'head-mismatch',
        detail: `chain head says entry ${head.lastSeq} with ${head.lastHash}; the entries end at ${this.expectedSeq - 1} with ${this.prevHash}`,
      };
    }
    return {
      valid: this.broken === undefined,
      tenant: this.tenant,
      entriesChecked: this.checked,
      headSeq: this.expectedSeq - 1,
      headHash: this.prevHash,
      ...(this.broken ? { firstBroken: this.broken } : {}),
    };
  }

  private check(row: AuditRow): AuditBreak | undefined {
    const seq = row.seq;
    if (seq !== this.expectedSeq) {
      return { seq: this.expectedSeq, reason: 'sequence-gap', detail: `expected entry ${this.expectedSeq}, found ${seq}` };
    }
    let parsed: AuditEntryContent;
    try {
      parsed = JSON.parse(row.content) as AuditEntryContent;
      if (canonicalize(parsed) !== row.content) {
        return { seq, reason: 'content-not-canonical', detail: 'content is not RFC 8785 canonical JSON' };
      }
    } catch {
      return { seq, reason: 'content-not-canonical', detail: 'content is not JSON' };
    }
    const digest = sha256Digest(row.content);
    if (digest !== row.contentDigest) {
      return { seq, reason: 'content-digest-mismatch', detail: `content hashes to ${digest}, row says ${row.contentDigest}` };
    }
    if (
      parsed.action !== row.action ||
      parsed.subject?.type !== row.subjectType ||
      parsed.subject?.id !== row.subjectId ||
      parsed.actor !== row.actor
    ) {
      return { seq, reason: 'columns-disagree-with-content', detail: 'action, subject or actor columns differ from the hashed content' };
    }
    if (row.prevHash !== this.prevHash) {
      return { seq, reason: 'prev-hash-mismatch', detail: `prev_hash is ${row.prevHash}, entry ${seq - 1} hashes to ${this.prevHash}` };
    }
    const expected = auditEntryHash(this.tenant, seq, row.prevHash, row.contentDigest);
    if (expected !== row.entryHash) {
      return { seq, reason: 'entry-hash-mismatch', detail: `entry hashes to ${expected}, row says ${row.entryHash}` };
    }
    return undefined;
  }
}

/** Verifies a whole chain held in memory. */
export function verifyAuditChain(
  tenant: string,
  rows: Iterable<AuditRow>,
  head?: { lastSeq: number; lastHash: string },
): AuditVerification {
  const verifier = new AuditChainVerifier(tenant);
  for (const row of rows) if (!verifier.push(row)) break;
  return verifier.finish(head);
}
