import { z } from 'zod';
import { Rfc3339TimestampSchema } from '../intoto/field-types';

/**
 * SPDX predicates. `https://spdx.dev/Document` (and `/v2.3`) carry an SPDX 2.x JSON document;
 * `https://spdx.dev/Document/v3` an SPDX 3 JSON-LD graph. The document-level fields required by
 * the SPDX specification are checked; package-level content is the SBOM tooling's concern.
 */
export const SPDX_DOCUMENT = 'https://spdx.dev/Document';
export const SPDX_DOCUMENT_V2_3 = 'https://spdx.dev/Document/v2.3';
export const SPDX_DOCUMENT_V3 = 'https://spdx.dev/Document/v3';

export const Spdx2DocumentSchema = z.looseObject({
  spdxVersion: z.string().regex(/^SPDX-2\.\d+$/, 'spdxVersion must be SPDX-2.<minor>'),
  SPDXID: z.literal('SPDXRef-DOCUMENT'),
  name: z.string().min(1),
  dataLicense: z.literal('CC0-1.0'),
  documentNamespace: z.string().min(1),
  creationInfo: z.looseObject({
    created: Rfc3339TimestampSchema,
    creators: z.array(z.string().min(1)).min(1),
  }),
  packages: z
    .array(z.looseObject({ SPDXID: z.string().regex(/^SPDXRef-[A-Za-z0-9.-]+$/), name: z.string() }))
    .optional(),
});

export type Spdx2Document = z.infer<typeof Spdx2DocumentSchema>;

const Spdx3ContextSchema = z.string().regex(/^https:\/\/spdx\.org\/rdf\/3\.[0-9.]+\/spdx-context\.jsonld$/);

export const Spdx3DocumentSchema = z.looseObject({
  '@context': z.union([
    Spdx3ContextSchema,
    z
      .array(z.unknown())
      .refine(
        (list) => list.some((c) => Spdx3ContextSchema.safeParse(c).success),
        'must include the SPDX 3 context',
      ),
  ]),
  '@graph': z.array(z.looseObject({ type: z.string().min(1) })).min(1),
});

export type Spdx3Document = z.infer<typeof Spdx3DocumentSchema>;
