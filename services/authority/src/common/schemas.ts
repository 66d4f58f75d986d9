import { z } from 'zod';

export const tenantIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes');
export const clientIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{2,127}$/, 'invalid client id');
export const scopeListSchema = z
  .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/, 'invalid scope'))
  .max(256);
export const displayNameSchema = z.string().trim().min(1).max(200);
/** Long enough that online guessing (rate limited) and offline cracking (argon2id) are both hopeless. */
export const passwordSchema = z.string().min(12, 'at least 12 characters').max(1024);
export const usernameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,199}$/, 'invalid username');
export const reasonSchema = z.string().trim().min(1).max(500);
