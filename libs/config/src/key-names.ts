/**
 * The mechanical mapping between schema keys (camelCase), environment variables
 * (STELLA_ + SCREAMING_SNAKE) and YAML keys (snake_case). Operators rely on it being
 * predictable, so it has no exceptions except the explicit alias table below.
 */

export const ENV_PREFIX = 'STELLA_';
export const FILE_SUFFIX = '_FILE';

const CAMEL_CASE_KEY = /^[a-z][a-zA-Z0-9]*$/;

/** Standard (non-STELLA) variables that other tooling already sets; the schema key they feed. */
export const STANDARD_ENV_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  OTEL_EXPORTER_OTLP_ENDPOINT: 'otelExporterOtlpEndpoint',
  OTEL_SERVICE_NAME: 'otelServiceName',
});

export function isCamelCaseKey(key: string): boolean {
  return CAMEL_CASE_KEY.test(key);
}

function words(key: string): string[] {
  if (!isCamelCaseKey(key)) {
    throw new TypeError(`configuration key "${key}" is not camelCase ([a-z][a-zA-Z0-9]*)`);
  }
  // A word starts at each capital letter; digits stay with the word before them (s3Bucket -> S3_BUCKET).
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(' ');
}

/** `databaseUrl` -> `STELLA_DATABASE_URL`. */
export function envVarFor(key: string): string {
  return ENV_PREFIX + words(key).join('_').toUpperCase();
}

/** `databaseUrl` -> `STELLA_DATABASE_URL_FILE`. */
export function fileEnvVarFor(key: string): string {
  return envVarFor(key) + FILE_SUFFIX;
}

/** `databaseUrl` -> `database_url`. */
export function yamlKeyFor(key: string): string {
  return words(key).join('_').toLowerCase();
}

/** The standard variables that alias `key`, if any. */
export function standardAliasesFor(key: string): string[] {
  return Object.entries(STANDARD_ENV_ALIASES)
    .filter(([, target]) => target === key)
    .map(([variable]) => variable);
}
