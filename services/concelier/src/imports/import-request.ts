import { SOURCE_IDS } from '@stella/matching';
import { z } from 'zod';

/**
 * POST /api/v1/imports. Exactly one origin: a server-side `path` (inside the import root), a
 * `url` (only when URL import is configured), or the document itself (`content` as text or
 * `contentBase64` for zips and gzip). `name` tells the reader what the upload is (`x.jsonl`,
 * `all.zip`, `epss.csv.gz`); `source` picks the connector (`auto` detects it per file).
 */
export const importRequestSchema = z
  .strictObject({
    source: z.enum([...SOURCE_IDS, 'auto']).default('auto'),
    path: z.string().min(1).max(1024).optional(),
    url: z
      .url({ protocol: /^https$/ })
      .max(2048)
      .optional(),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, {
        error: 'expected a file name such as feed.jsonl or all.zip',
      })
      .optional(),
    content: z.string().min(1).optional(),
    contentBase64: z.base64().min(1).optional(),
  })
  .refine((r) => [r.path, r.url, r.content, r.contentBase64].filter((v) => v !== undefined).length === 1, {
    error: 'give exactly one of path, url, content, contentBase64',
    path: ['path'],
  });

export type ImportRequest = z.infer<typeof importRequestSchema>;
