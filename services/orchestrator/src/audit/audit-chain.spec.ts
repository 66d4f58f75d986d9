import { createHash } from 'node:crypto';
import { AUDIT_GENESIS_HASH, auditContent, auditEntryHash, verifyAuditChain, type AuditEntryContent, type AuditRow } from './audit-chain';

function chain(tenant: string, entries: AuditEntryContent[]): AuditRow[] {
  let prev: string = AUDIT_GENESIS_HASH;
  return entries.map((entry, i) => {
    const { content, contentDigest } = auditContent(entry);
    const seq = i + 1;
    const entryHash = auditEntryHash(tenant, seq, prev, contentDigest);
    const row = { seq, action: entry.action, subjectType: entry.subject.type, subjectId: entry.subject.id, actor: entry.actor, content, contentDigest, prevHash: prev, entryHash };
    prev = entryHash;
    return row;
  });
}

const entries: AuditEntryContent[] = [1, 2, 3, 4].map((n) => ({
  action: 'promotion.requested',
  subject: { type: 'promotion', id: `p${n}` },
  actor: 'user:alice',
  at: `2030-01-01T00:00:0${n}.000Z`,
  data: { n },
}));

describe('audit chain', () => {
  const rows = chain('acme', entries);
  const head = { lastSeq: 4, lastHash: rows[3]!.entryHash };

  it('hashes exactly "stella-audit-v1\\n<tenant>\\n<seq>\\n<prev>\\n<contentDigest>" (the SQL append computes the same)', () => {
    const expected = `sha256:${createHash('sha256').update(`stella-audit-v1\nacme\n1\n${AUDIT_GENESIS_HASH}\nsha256:aa`).digest('hex')}`;
    expect(auditEntryHash('acme', 1, AUDIT_GENESIS_HASH, 'sha256:aa')).toBe(expected);
  });

  it('verifies an intact chain and reports its head', () => {
    expect(verifyAuditChain('acme', rows, head)).toEqual({ valid: true, tenant: 'acme', entriesChecked: 4, headSeq: 4, headHash: head.lastHash });
  });

  it('binds entries to their tenant', () => {
    expect(verifyAuditChain('globex', rows, head).firstBroken).toMatchObject({ seq: 1, reason: 'entry-hash-mismatch' });
  });

  it.each([
    ['edited content', (r: AuditRow[]) => (r[1] = { ...r[1]!, content: r[1]!.content.replace('"n":2', '"n":9') }), 2, 'content-digest-mismatch'],
    ['non-canonical content', (r: AuditRow[]) => (r[1] = { ...r[1]!, content: ` ${r[1]!.content}` }), 2, 'content-not-canonical'],
    ['an actor column that lies', (r: AuditRow[]) => (r[2] = { ...r[2]!, actor: 'user:mallory' }), 3, 'columns-disagree-with-content'],
    ['a removed entry', (r: AuditRow[]) => r.splice(1, 1), 2, 'sequence-gap'],
    ['a re-pointed prev hash', (r: AuditRow[]) => (r[2] = { ...r[2]!, prevHash: AUDIT_GENESIS_HASH }), 3, 'prev-hash-mismatch'],
    ['a forged entry hash', (r: AuditRow[]) => (r[3] = { ...r[3]!, entryHash: `sha256:${'0'.repeat(64)}` }), 4, 'entry-hash-mismatch'],
  ])('names the first broken entry after %s', (_what, tamper, seq, reason) => {
    const copy = rows.map((r) => ({ ...r }));
    tamper(copy);
    expect(verifyAuditChain('acme', copy, head)).toMatchObject({ valid: false, firstBroken: { seq, reason } });
  });

  it('detects a truncated tail through the stored head', () => {
    expect(verifyAuditChain('acme', rows.slice(0, 3), head).firstBroken).toMatchObject({ seq: 4, reason: 'head-mismatch' });
  });
});
