import { z } from 'zod';

/** RFC 6749 §3.3 scope-token characters, space-separated. */
const scopeParam = z
  .string()
  .max(4096)
  .regex(/^[\x21\x23-\x5b\x5d-\x7e ]*$/, 'scope must be space-separated RFC 6749 scope tokens');

const clientIdParam = z.string().min(1).max(128);

export const clientCredentialsRequestSchema = z.object({
  grant_type: z.literal('client_credentials'),
  scope: scopeParam.optional(),
  audience: z.string().min(1).max(256).optional(),
  client_id: clientIdParam.optional(),
  client_secret: z.string().min(1).max(512).optional(),
});

export const passwordRequestSchema = z.object({
  grant_type: z.literal('password'),
  username: z.string().min(1).max(200),
  password: z.string().min(1).max(1024),
  /** Extension parameter: the user's tenant; the bootstrap tenant when absent. */
  tenant: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'invalid tenant id')
    .optional(),
  scope: scopeParam.optional(),
  audience: z.string().min(1).max(256).optional(),
  client_id: clientIdParam.optional(),
  client_secret: z.string().min(1).max(512).optional(),
});

export type ClientCredentialsRequest = z.infer<typeof clientCredentialsRequestSchema>;
export type PasswordRequest = z.infer<typeof passwordRequestSchema>;

export const SUPPORTED_GRANT_TYPES = ['client_credentials', 'password'] as const;

export function parseScopeParam(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  return [...new Set(scope.split(' ').filter((s) => s.length > 0))];
}
