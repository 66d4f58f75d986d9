import semver from 'semver';
import { z } from 'zod';

/** Shared request-field rules. Names are lowercase tokens so they are safe in URLs, subjects and logs. */
export const environmentName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, starting with a letter (max 63)');
export const componentName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'lowercase letters, digits, ".", "_" and "-" (max 128)');
export const releaseName = componentName;
export const roleName = z.string().regex(/^[a-z][a-z0-9_.:-]{0,63}$/, 'invalid role name');
export const sha256Digest = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256:<64 lowercase hex>');
export const utcTimestamp = z.iso.datetime({ offset: false, error: 'must be an RFC 3339 UTC timestamp (…Z)' });
export const comment = z.string().min(1).max(4096);
export const promotionId = z.uuid({ error: 'must be a promotion id (UUID)' });

/** Strict SemVer 2.0.0: no leading "v", no loose forms (`1.2`, `01.2.3`), at most 128 characters. */
export const semverVersion = z
  .string()
  .max(128)
  .refine((value) => semver.valid(value) === value, { error: 'must be a SemVer 2.0.0 version such as 1.4.2 or 2.0.0-rc.1' });

/** An image repository as references name it (`registry.example.com/team/api`, `127.0.0.1:5000/api`). */
export const repository = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[a-z0-9][a-z0-9.:_/-]*$/, 'an image repository such as registry.example.com/team/api (no tag or digest)');

export const imageTag = z.string().regex(/^[\w][\w.-]{0,127}$/, 'a tag (letters, digits, "_", "." and "-", max 128)');

export const pageLimit = z.coerce.number().int().min(1).max(10_000).optional();
