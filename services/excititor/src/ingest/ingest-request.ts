import { z } from 'zod';
import { VEX_FORMATS } from '../formats/model';

/**
 * POST /api/v1/vex: up to 100 documents, each given as JSON (`document`, hashed in RFC 8785
 * canonical form) or as its exact text (`content`, hashed as sent). A document may be a DSSE
 * envelope around the VEX (or an in-toto Statement carrying it).
 */
export const ingestRequestSchema = z.strictObject({
  documents: z
    .array(
      z
        .strictObject({
          name: z.string().min(1).max(200).optional(),
          format: z.enum(VEX_FORMATS).optional(),
          document: z.record(z.string(), z.unknown()).optional(),
          content: z.string().min(1).optional(),
        })
        .refine((d) => (d.document === undefined) !== (d.content === undefined), {
          error: 'give exactly one of document, content',
          path: ['document'],
        }),
    )
    .min(1)
    .max(100),
});

export type IngestRequest = z.infer<typeof ingestRequestSchema>;
