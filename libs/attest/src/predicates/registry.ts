import type { z } from 'zod';
import { AttestError } from '../errors';
import { parseOrThrow } from '../validation';
import { CYCLONEDX_BOM, CYCLONEDX_BOM_VERSIONED, CycloneDxBomSchema, type CycloneDxBom } from './cyclonedx';
import { DECISION_RECORD_V1, DecisionRecordV1Schema, type DecisionRecordV1 } from './decision-record-v1';
import { OPENVEX_V020, OpenVexDocumentSchema, type OpenVexDocument } from './openvex';
import { SLSA_PROVENANCE_V1, SlsaProvenanceV1Schema, type SlsaProvenanceV1 } from './slsa-provenance-v1';
import {
  SPDX_DOCUMENT,
  SPDX_DOCUMENT_V2_3,
  SPDX_DOCUMENT_V3,
  Spdx2DocumentSchema,
  Spdx3DocumentSchema,
  type Spdx2Document,
  type Spdx3Document,
} from './spdx';
import { VULNS_V02, VulnsV02Schema, type VulnsV02 } from './vulns-v02';

/** Predicate types this library builds and validates, by their in-toto TypeURI. */
export const PredicateTypes = {
  SLSA_PROVENANCE_V1,
  CYCLONEDX_BOM,
  SPDX_DOCUMENT,
  SPDX_DOCUMENT_V2_3,
  SPDX_DOCUMENT_V3,
  OPENVEX_V020,
  VULNS_V02,
  DECISION_RECORD_V1,
} as const;

/** Predicate body type for each known predicate type. */
export interface PredicateMap {
  [SLSA_PROVENANCE_V1]: SlsaProvenanceV1;
  [CYCLONEDX_BOM]: CycloneDxBom;
  [SPDX_DOCUMENT]: Spdx2Document;
  [SPDX_DOCUMENT_V2_3]: Spdx2Document;
  [SPDX_DOCUMENT_V3]: Spdx3Document;
  [OPENVEX_V020]: OpenVexDocument;
  [VULNS_V02]: VulnsV02;
  [DECISION_RECORD_V1]: DecisionRecordV1;
}

export type KnownPredicateType = keyof PredicateMap;
export type PredicateOf<T extends string> = T extends KnownPredicateType
  ? PredicateMap[T]
  : Record<string, unknown>;

const SCHEMAS: Record<KnownPredicateType, z.ZodType> = {
  [SLSA_PROVENANCE_V1]: SlsaProvenanceV1Schema,
  [CYCLONEDX_BOM]: CycloneDxBomSchema,
  [SPDX_DOCUMENT]: Spdx2DocumentSchema,
  [SPDX_DOCUMENT_V2_3]: Spdx2DocumentSchema,
  [SPDX_DOCUMENT_V3]: Spdx3DocumentSchema,
  [OPENVEX_V020]: OpenVexDocumentSchema,
  [VULNS_V02]: VulnsV02Schema,
  [DECISION_RECORD_V1]: DecisionRecordV1Schema,
};

export function isKnownPredicateType(predicateType: string): boolean {
  return predicateSchemaFor(predicateType) !== undefined;
}

/** The zod schema of a predicate type, including versioned CycloneDX aliases (`/bom/v1.6`). */
export function predicateSchemaFor(predicateType: string): z.ZodType | undefined {
  if (Object.prototype.hasOwnProperty.call(SCHEMAS, predicateType))
    return SCHEMAS[predicateType as KnownPredicateType];
  const cyclonedx = CYCLONEDX_BOM_VERSIONED.exec(predicateType);
  if (cyclonedx) {
    const specVersion = cyclonedx[1];
    return CycloneDxBomSchema.refine((bom) => bom.specVersion === specVersion, {
      message: `specVersion must be ${specVersion} for ${predicateType}`,
      path: ['specVersion'],
    });
  }
  return undefined;
}

/**
 * Validates a predicate against the schema of its type. Unknown predicate types are refused
 * unless `allowUnknown` is set, in which case the predicate must merely be a JSON object.
 */
export function parsePredicate<T extends string>(
  predicateType: T,
  predicate: unknown,
  options: { allowUnknown?: boolean } = {},
): PredicateOf<T> {
  const schema = predicateSchemaFor(predicateType);
  if (!schema) {
    if (!options.allowUnknown) {
      throw new AttestError('PREDICATE_TYPE_UNSUPPORTED', `predicate type ${predicateType} is not known`, {
        predicateType,
      });
    }
    if (predicate === undefined) return {} as PredicateOf<T>;
    if (typeof predicate !== 'object' || predicate === null || Array.isArray(predicate)) {
      throw new AttestError('PREDICATE_INVALID', 'predicate must be a JSON object', { predicateType });
    }
    return predicate as PredicateOf<T>;
  }
  return parseOrThrow(schema, predicate, 'PREDICATE_INVALID', `${predicateType} predicate`, [
    'predicate',
  ]) as PredicateOf<T>;
}
