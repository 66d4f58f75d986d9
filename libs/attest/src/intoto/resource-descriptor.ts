import { z } from 'zod';
import { decodeBase64Strict } from '../encoding/base64';
import { DigestSetSchema, ResourceUriSchema } from './field-types';

/**
 * in-toto v1 ResourceDescriptor. Unknown fields are kept (the spec's parsing rules: consumers
 * ignore them, and they stay part of what was signed).
 */
export const ResourceDescriptorSchema = z
  .looseObject({
    name: z.string().max(4096).optional(),
    uri: ResourceUriSchema.optional(),
    digest: DigestSetSchema.optional(),
    content: z
      .string()
      .refine((value) => decodeBase64Strict(value) !== undefined, 'content must be base64')
      .optional(),
    downloadLocation: ResourceUriSchema.optional(),
    mediaType: z.string().max(255).optional(),
    annotations: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((rd) => rd.uri !== undefined || rd.digest !== undefined || rd.content !== undefined, {
    message: 'a ResourceDescriptor needs at least one of uri, digest or content',
  });

export type ResourceDescriptor = z.infer<typeof ResourceDescriptorSchema>;
