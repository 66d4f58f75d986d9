import { z } from 'zod';
import { TypeUriSchema, UtcTimestampSchema } from '../intoto/field-types';
import { ResourceDescriptorSchema } from '../intoto/resource-descriptor';

/** https://slsa.dev/spec/v1.0/provenance (schema also in in-toto's provenance/v1 proto). */
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

const JsonObjectSchema = z.record(z.string(), z.unknown());

export const SlsaProvenanceV1Schema = z.looseObject({
  buildDefinition: z.looseObject({
    buildType: TypeUriSchema,
    externalParameters: JsonObjectSchema,
    internalParameters: JsonObjectSchema.optional(),
    resolvedDependencies: z.array(ResourceDescriptorSchema).optional(),
  }),
  runDetails: z.looseObject({
    builder: z.looseObject({
      id: TypeUriSchema,
      version: z.record(z.string(), z.string()).optional(),
      builderDependencies: z.array(ResourceDescriptorSchema).optional(),
    }),
    metadata: z
      .looseObject({
        invocationId: z.string().optional(),
        startedOn: UtcTimestampSchema.optional(),
        finishedOn: UtcTimestampSchema.optional(),
      })
      .optional(),
    byproducts: z.array(ResourceDescriptorSchema).optional(),
  }),
});

export type SlsaProvenanceV1 = z.infer<typeof SlsaProvenanceV1Schema>;
