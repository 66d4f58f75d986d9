import { createHash } from 'node:crypto';
import type { ParsedVexDocument, VexFormat, VexIssue, VexStatement, VexStatus } from './model';
import { canonicalProductKey } from './product-key';
import type { VexSchemas } from './schema-validators';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export interface ParseResult {
  readonly document?: ParsedVexDocument;
  readonly issues: VexIssue[];
}

/** Which VEX format a JSON document is in, by its distinguishing fields. */
export function detectVexFormat(value: unknown): VexFormat | null {
  if (!isObject(value)) return null;
  if (typeof value['@context'] === 'string' && value['@context'].startsWith('https://openvex.dev/ns'))
    return 'openvex';
  if (isObject(value.document) && typeof value.document.csaf_version === 'string') return 'csaf';
  if (value.bomFormat === 'CycloneDX') return 'cyclonedx';
  return null;
}

/**
 * Validates a VEX document against its format's JSON Schema and normalises its statements.
 * A schema failure refuses the document (naming the field); a statement whose product cannot be
 * resolved is left out with a warning and the others are kept.
 */
export function parseVexDocument(
  value: unknown,
  name: string,
  schemas: VexSchemas,
  format?: VexFormat,
): ParseResult {
  const issues: VexIssue[] = [];
  const detected = format ?? detectVexFormat(value);
  if (!detected) {
    issues.push({
      level: 'error',
      code: 'UNKNOWN_FORMAT',
      document: name,
      message: `${name}: not OpenVEX (@context https://openvex.dev/ns/…), CSAF (document.csaf_version) or CycloneDX (bomFormat)`,
    });
    return { issues };
  }
  const failure = schemas.validate(detected, value);
  if (failure) {
    issues.push({
      level: 'error',
      code: 'SCHEMA_VIOLATION',
      document: name,
      field: failure.field,
      message: `${name}: ${detected} schema: ${failure.message}`,
    });
    return { issues };
  }
  const doc = value as Json;
  const fallbackId = `sha256:${createHash('sha256').update(JSON.stringify(value)).digest('hex')}`;
  const warn = (field: string, message: string) =>
    issues.push({
      level: 'warning',
      code: 'UNRESOLVED_PRODUCT',
      document: name,
      field,
      message: `${name}: ${field}: ${message}; statement left out`,
    });
  const document =
    detected === 'openvex'
      ? openVex(doc, fallbackId, warn)
      : detected === 'csaf'
        ? csaf(doc, fallbackId, warn)
        : cycloneDx(doc, fallbackId, warn);
  return { document, issues };
}

type Warn = (field: string, message: string) => void;

function openVex(doc: Json, fallbackId: string, warn: Warn): ParsedVexDocument {
  const documentTime = str(doc.timestamp) ?? '';
  const statements: VexStatement[] = [];
  arr(doc.statements).forEach((raw, s) => {
    const statement = raw as Json;
    const vulnerability = statement.vulnerability as Json;
    const vulnerabilityId = str(vulnerability.name) ?? str(vulnerability['@id'])!;
    arr(statement.products).forEach((p, i) => {
      const product = p as Json;
      const id = str(product['@id']);
      const purl = isObject(product.identifiers) ? str(product.identifiers.purl) : undefined;
      const key =
        (id && canonicalProductKey(id)) ??
        (purl && canonicalProductKey(purl)) ??
        (id ? `openvex:${id}` : null);
      if (!key) return warn(`statements[${s}].products[${i}]`, 'no @id or purl');
      statements.push({
        vulnerabilityId,
        aliases: arr(vulnerability.aliases).filter((a): a is string => typeof a === 'string'),
        productKey: key,
        subcomponents: arr(product.subcomponents)
          .map((c) =>
            isObject(c)
              ? (str(c['@id']) ?? (isObject(c.identifiers) ? str(c.identifiers.purl) : undefined))
              : undefined,
          )
          .filter((c): c is string => c !== undefined),
        status: statement.status as VexStatus,
        ...optional('justification', str(statement.justification)),
        ...optional('impactStatement', str(statement.impact_statement)),
        ...optional('actionStatement', str(statement.action_statement)),
        timestamp: str(statement.timestamp) ?? documentTime,
      });
    });
  });
  return {
    format: 'openvex',
    documentId: str(doc['@id']) ?? fallbackId,
    author: str(doc.author) ?? 'unknown',
    timestamp: documentTime,
    statements,
  };
}

const CSAF_STATUS: Record<string, VexStatus> = {
  known_not_affected: 'not_affected',
  known_affected: 'affected',
  first_affected: 'affected',
  last_affected: 'affected',
  fixed: 'fixed',
  first_fixed: 'fixed',
  under_investigation: 'under_investigation',
};

function csaf(doc: Json, fallbackId: string, warn: Warn): ParsedVexDocument {
  const meta = doc.document as Json;
  const tracking = meta.tracking as Json;
  const publisher = meta.publisher as Json;
  const documentId = str(tracking.id) ?? fallbackId;
  const timestamp = str(tracking.current_release_date) ?? '';
  const products = new Map<string, string>();
  const addProduct = (product: Json) => {
    const id = str(product.product_id);
    if (!id) return;
    const helper = isObject(product.product_identification_helper)
      ? product.product_identification_helper
      : {};
    const purl = str(helper.purl);
    const key =
      (purl && canonicalProductKey(purl)) ??
      (str(helper.cpe) ? `cpe:${str(helper.cpe)!.replace(/^cpe:/, '')}` : `csaf:${documentId}#${id}`);
    products.set(id, key);
  };
  const walk = (branches: unknown[]) => {
    for (const b of branches) {
      if (!isObject(b)) continue;
      if (isObject(b.product)) addProduct(b.product);
      walk(arr(b.branches));
    }
  };
  const tree = isObject(doc.product_tree) ? doc.product_tree : {};
  walk(arr(tree.branches));
  for (const p of arr(tree.full_product_names)) if (isObject(p)) addProduct(p);
  for (const r of arr(tree.relationships))
    if (isObject(r) && isObject(r.full_product_name)) addProduct(r.full_product_name);
  const groups = new Map<string, string[]>();
  for (const g of arr(tree.product_groups))
    if (isObject(g) && str(g.group_id))
      groups.set(
        str(g.group_id)!,
        arr(g.product_ids).filter((x): x is string => typeof x === 'string'),
      );
  const productsOf = (entry: Json): string[] => [
    ...arr(entry.product_ids).filter((x): x is string => typeof x === 'string'),
    ...arr(entry.group_ids).flatMap((g) => (typeof g === 'string' ? (groups.get(g) ?? []) : [])),
  ];

  const statements: VexStatement[] = [];
  arr(doc.vulnerabilities).forEach((raw, v) => {
    const vuln = raw as Json;
    const ids = arr(vuln.ids)
      .map((i) => (isObject(i) ? str(i.text) : undefined))
      .filter((i): i is string => i !== undefined);
    const vulnerabilityId = str(vuln.cve) ?? ids[0];
    if (!vulnerabilityId) return warn(`vulnerabilities[${v}]`, 'no cve and no ids');
    const justification = new Map<string, string>();
    for (const flag of arr(vuln.flags))
      if (isObject(flag) && str(flag.label))
        for (const id of productsOf(flag)) justification.set(id, str(flag.label)!);
    const impact = new Map<string, string>();
    for (const threat of arr(vuln.threats))
      if (isObject(threat) && threat.category === 'impact' && str(threat.details))
        for (const id of productsOf(threat)) impact.set(id, str(threat.details)!);
    const action = new Map<string, string>();
    for (const remediation of arr(vuln.remediations))
      if (isObject(remediation) && str(remediation.details))
        for (const id of productsOf(remediation)) action.set(id, str(remediation.details)!);
    const statuses = isObject(vuln.product_status) ? vuln.product_status : {};
    for (const [category, list] of Object.entries(statuses)) {
      const status = CSAF_STATUS[category];
      if (!status) continue; // `recommended` names a product to move to, not a status
      arr(list).forEach((id, i) => {
        if (typeof id !== 'string') return;
        const key = products.get(id);
        if (!key)
          return warn(
            `vulnerabilities[${v}].product_status.${category}[${i}]`,
            `product_id ${id} is not in the product tree`,
          );
        statements.push({
          vulnerabilityId,
          aliases: ids.filter((i2) => i2 !== vulnerabilityId),
          productKey: key,
          subcomponents: [],
          status,
          ...optional('justification', justification.get(id)),
          ...optional('impactStatement', impact.get(id)),
          ...optional('actionStatement', action.get(id)),
          timestamp,
        });
      });
    }
  });
  return { format: 'csaf', documentId, author: str(publisher.name) ?? 'unknown', timestamp, statements };
}

const CDX_STATE: Record<string, VexStatus> = {
  not_affected: 'not_affected',
  false_positive: 'not_affected',
  resolved: 'fixed',
  resolved_with_pedigree: 'fixed',
  exploitable: 'affected',
  in_triage: 'under_investigation',
};

function cycloneDx(doc: Json, fallbackId: string, warn: Warn): ParsedVexDocument {
  const metadata = isObject(doc.metadata) ? doc.metadata : {};
  const documentId = str(doc.serialNumber) ?? fallbackId;
  const timestamp = str(metadata.timestamp) ?? '';
  const refs = new Map<string, string>();
  const visit = (component: unknown) => {
    if (!isObject(component)) return;
    const ref = str(component['bom-ref']);
    const purl = str(component.purl);
    if (ref && purl) {
      const key = canonicalProductKey(purl);
      if (key) refs.set(ref, key);
    }
    arr(component.components).forEach(visit);
  };
  visit(metadata.component);
  arr(doc.components).forEach(visit);
  const author =
    (isObject(metadata.manufacturer) ? str(metadata.manufacturer.name) : undefined) ??
    (isObject(metadata.supplier) ? str(metadata.supplier.name) : undefined) ??
    (isObject(arr(metadata.authors)[0]) ? str((arr(metadata.authors)[0] as Json).name) : undefined) ??
    (isObject(metadata.component) && isObject(metadata.component.supplier)
      ? str(metadata.component.supplier.name)
      : undefined) ??
    'unknown';
  const statements: VexStatement[] = [];
  arr(doc.vulnerabilities).forEach((raw, v) => {
    const vuln = raw as Json;
    const vulnerabilityId = str(vuln.id);
    const analysis = isObject(vuln.analysis) ? vuln.analysis : undefined;
    const status = analysis ? CDX_STATE[str(analysis.state) ?? ''] : undefined;
    if (!vulnerabilityId || !status)
      return warn(`vulnerabilities[${v}]`, 'no id or no analysis.state (a VDR entry, not a VEX statement)');
    const aliases = arr(vuln.references)
      .map((r) => (isObject(r) ? str(r.id) : undefined))
      .filter((r): r is string => r !== undefined);
    arr(vuln.affects).forEach((a, i) => {
      const ref = isObject(a) ? str(a.ref) : undefined;
      if (!ref) return warn(`vulnerabilities[${v}].affects[${i}]`, 'no ref');
      const key =
        refs.get(ref) ??
        canonicalProductKey(ref) ??
        (ref.startsWith('urn:cdx:') ? ref : `cdx:${documentId}#${ref}`);
      statements.push({
        vulnerabilityId,
        aliases,
        productKey: key,
        subcomponents: [],
        status,
        ...optional(
          'justification',
          str(analysis!.justification) ??
            (analysis!.state === 'false_positive' ? 'false_positive' : undefined),
        ),
        ...optional('impactStatement', str(analysis!.detail)),
        ...optional(
          'actionStatement',
          arr(analysis!.response)
            .filter((r): r is string => typeof r === 'string')
            .join(', ') || undefined,
        ),
        timestamp: str(analysis!.lastUpdated) ?? str(vuln.updated) ?? str(vuln.published) ?? timestamp,
      });
    });
  });
  return { format: 'cyclonedx', documentId, author, timestamp, statements };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
