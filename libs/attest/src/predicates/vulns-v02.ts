import { z } from 'zod';
import { ResourceUriSchema, UtcTimestampSchema } from '../intoto/field-types';

/** in-toto vulnerability scan predicate v0.2 (spec/predicates/vulns_02.md, vulns/v0.2/vulns.proto). */
export const VULNS_V02 = 'https://in-toto.io/attestation/vulns/v0.2';

export const VulnsV02Schema = z.looseObject({
  scanner: z.looseObject({
    uri: ResourceUriSchema,
    version: z.string().optional(),
    db: z
      .looseObject({
        uri: ResourceUriSchema.optional(),
        version: z.string().optional(),
        lastUpdate: UtcTimestampSchema,
      })
      .optional(),
    // An empty list is meaningful: the scanner found no vulnerabilities.
    result: z.array(
      z.looseObject({
        id: z.string().min(1),
        severity: z.array(z.looseObject({ method: z.string().min(1), score: z.string().min(1) })),
        annotations: z.array(z.record(z.string(), z.unknown())).optional(),
      }),
    ),
  }),
  metadata: z.looseObject({
    scanStartedOn: UtcTimestampSchema,
    scanFinishedOn: UtcTimestampSchema,
  }),
});

export type VulnsV02 = z.infer<typeof VulnsV02Schema>;
