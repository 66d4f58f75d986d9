import { z } from 'zod';
import { TENANT_ID_PATTERN } from '../envelope';

/** Ids of records (tenants, clients, users, keys): opaque, printable, bounded. */
export const recordIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'invalid id');

export const tenantIdSchema = z.string().regex(TENANT_ID_PATTERN, 'invalid tenant id');

/** Who caused the change: a signed-in user, an OAuth client, or the platform itself. */
export const actorSchema = z.strictObject({
  type: z.enum(['user', 'client', 'system']),
  id: recordIdSchema,
});
export type Actor = z.infer<typeof actorSchema>;

/** Names of the fields a change touched (never their values: they may be sensitive). */
export const changedFieldsSchema = z
  .array(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_.]{0,63}$/))
  .min(1)
  .max(64);

export const scopeSchema = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/, 'invalid OAuth scope');
export const roleNameSchema = z.string().regex(/^[a-z][a-z0-9_.:-]{0,63}$/, 'invalid role name');
export const utcTimestampSchema = z.iso.datetime({ offset: false });
