import { loadConfig } from '@stella/config';
import { authorityConfigSchema, type AuthorityConfig } from './authority-config';

export const AUTHORITY_SERVICE_NAME = 'authority';

export function loadAuthorityConfig(env?: Record<string, string | undefined>): AuthorityConfig {
  return loadConfig({
    service: AUTHORITY_SERVICE_NAME,
    schema: authorityConfigSchema,
    ...(env ? { env } : {}),
  });
}
