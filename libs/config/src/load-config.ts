import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { coerceValue, fieldKindOf } from './coerce';
import { ConfigError, type ConfigProblem } from './config-error';
import { ENV_PREFIX, envVarFor, fileEnvVarFor, standardAliasesFor, yamlKeyFor } from './key-names';
import { displayValue, isSecretKey } from './redaction';

export const DEFAULT_CONFIG_DIR = '/etc/stella';
export const CONFIG_FILE_ENV_VAR = `${ENV_PREFIX}CONFIG_FILE`;

export interface LoadConfigOptions<S extends z.ZodObject> {
  /** Service name: picks `/etc/stella/<service>.yaml` and names the service in errors. */
  service: string;
  schema: S;
  /** Defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** A YAML file that must exist; `STELLA_CONFIG_FILE` still wins over it. */
  configFile?: string;
  /** Where the optional `<service>.yaml` is looked up; defaults to `/etc/stella`. */
  configDir?: string;
}

const loadConfigOptionsSchema = z.object({
  service: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,62}$/, { error: 'expected a service name matching ^[a-z][a-z0-9-]{0,62}$' }),
  schema: z.instanceof(z.ZodObject, { error: 'expected a zod object schema' }),
  env: z.record(z.string(), z.string().optional()).optional(),
  configFile: z.string().min(1).optional(),
  configDir: z.string().min(1).optional(),
});

type ValueSource =
  | { kind: 'env'; variable: string }
  | { kind: 'file'; variable: string; path: string }
  | { kind: 'alias'; variable: string }
  | { kind: 'yaml'; path: string };

interface RawValue {
  value: unknown;
  source: ValueSource;
}

interface ConfigFile {
  path: string;
  /** undefined when the file could not be loaded (a problem was recorded). */
  values: Record<string, unknown> | undefined;
}

/**
 * Loads and validates configuration for `service`.
 * Precedence per key: `STELLA_X` > `STELLA_X_FILE` > standard alias (OTEL_*) > YAML file > schema default.
 * Throws one `ConfigError` listing every problem; secret values never appear in it.
 */
export function loadConfig<S extends z.ZodObject>(opts: LoadConfigOptions<S>): z.infer<S> {
  const parsedOptions = loadConfigOptionsSchema.safeParse(opts);
  if (!parsedOptions.success) {
    throw new TypeError(`loadConfig: invalid options: ${z.prettifyError(parsedOptions.error)}`);
  }
  const { service, configFile, configDir } = parsedOptions.data;
  const schema = opts.schema;
  const env = opts.env ?? process.env;
  const keys = schemaKeys(schema);

  const problems: ConfigProblem[] = [];
  const file = loadConfigFile(service, env, configFile, configDir ?? DEFAULT_CONFIG_DIR, problems);
  const yamlValues = file?.values ? yamlValuesByKey(file, keys, problems) : new Map<string, unknown>();

  const raw = new Map<string, RawValue>();
  const keysWithSourceProblems = new Set<string>();
  for (const key of keys) {
    const resolved = resolveRawValue(key, env, file, yamlValues, problems);
    if (resolved === 'problem') keysWithSourceProblems.add(key);
    else if (resolved) raw.set(key, resolved);
  }

  const input: Record<string, unknown> = {};
  for (const [key, { value }] of raw) {
    input[key] = coerceValue(value, fieldKindOf(schema.shape[key] as z.ZodType));
  }

  const result = schema.safeParse(input, { error: friendlyIssueMessage, reportInput: true });
  if (!result.success) {
    const configFileFailed = file !== undefined && file.values === undefined;
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '');
      if (keysWithSourceProblems.has(key)) continue;
      const missing = issue.code === 'invalid_type' && issue.path.length === 1 && !raw.has(key);
      // The broken file may well hold the missing keys: reporting them would send the operator the wrong way.
      if (missing && configFileFailed) continue;
      problems.push(issueToProblem(key, issue, raw.get(key), missing));
    }
  }

  if (problems.length > 0) throw new ConfigError(service, problems);
  return result.data as z.infer<S>;
}

function schemaKeys(schema: z.ZodObject): string[] {
  const keys = Object.keys(schema.shape);
  const envVars = new Map<string, string>();
  for (const key of keys) {
    // envVarFor throws for keys that are not camelCase: a programming error, not an operator one.
    const envVar = envVarFor(key);
    const clash = envVars.get(envVar) ?? envVars.get(fileEnvVarFor(key));
    if (clash !== undefined)
      throw new TypeError(`configuration keys "${clash}" and "${key}" map to the same variable ${envVar}`);
    envVars.set(envVar, key);
    envVars.set(fileEnvVarFor(key), key);
  }
  return keys;
}

function nonEmpty(value: string | undefined): string | undefined {
  // Compose files often write `X=${X:-}`: an empty variable means "not set", so defaults still apply.
  return value === undefined || value === '' ? undefined : value;
}

function loadConfigFile(
  service: string,
  env: Record<string, string | undefined>,
  explicitFile: string | undefined,
  configDir: string,
  problems: ConfigProblem[],
): ConfigFile | undefined {
  const fromEnv = nonEmpty(env[CONFIG_FILE_ENV_VAR]);
  const path = fromEnv ?? explicitFile ?? join(configDir, `${service}.yaml`);
  const mustExist = fromEnv !== undefined || explicitFile !== undefined;

  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = errorCode(error);
    if (!mustExist && code === 'ENOENT') return undefined;
    problems.push({
      code: 'unreadable_file',
      key: 'configFile',
      envVar: CONFIG_FILE_ENV_VAR,
      message: `cannot read configuration file ${path} (${code})`,
    });
    return { path, values: undefined };
  }

  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    // Only codes and positions: the parser's message quotes file content, which may hold secrets.
    const where = document.errors.map((e) => `${e.code} at line ${e.linePos?.[0].line ?? '?'}`).join(', ');
    problems.push({
      code: 'invalid_config_file',
      key: 'configFile',
      envVar: CONFIG_FILE_ENV_VAR,
      message: `invalid YAML in ${path}: ${where}`,
    });
    return { path, values: undefined };
  }
  const content: unknown = document.toJS({ maxAliasCount: 100 });
  if (content === null || content === undefined) return { path, values: {} };
  if (typeof content !== 'object' || Array.isArray(content)) {
    problems.push({
      code: 'invalid_config_file',
      key: 'configFile',
      envVar: CONFIG_FILE_ENV_VAR,
      message: `${path} must contain a YAML mapping of snake_case keys`,
    });
    return { path, values: undefined };
  }
  return { path, values: content as Record<string, unknown> };
}

function yamlValuesByKey(file: ConfigFile, keys: string[], problems: ConfigProblem[]): Map<string, unknown> {
  const keyByYamlKey = new Map(keys.map((key) => [yamlKeyFor(key), key]));
  const values = new Map<string, unknown>();
  for (const [yamlKey, value] of Object.entries(file.values ?? {})) {
    const key = keyByYamlKey.get(yamlKey);
    if (key !== undefined) {
      // `key:` with nothing after it is YAML null: treat it as not set.
      if (value !== null) values.set(key, value);
      continue;
    }
    const hint = keys.includes(yamlKey)
      ? ` (YAML keys are snake_case: did you mean ${yamlKeyFor(yamlKey)}?)`
      : '';
    problems.push({
      code: 'unknown_key',
      key: yamlKey,
      envVar: /^[a-z][a-z0-9_]*$/.test(yamlKey) ? ENV_PREFIX + yamlKey.toUpperCase() : CONFIG_FILE_ENV_VAR,
      message: `unknown key "${yamlKey}" in ${file.path}${hint}`,
    });
  }
  return values;
}

function resolveRawValue(
  key: string,
  env: Record<string, string | undefined>,
  file: ConfigFile | undefined,
  yamlValues: Map<string, unknown>,
  problems: ConfigProblem[],
): RawValue | 'problem' | undefined {
  const envVar = envVarFor(key);
  const fileVar = fileEnvVarFor(key);
  const direct = nonEmpty(env[envVar]);
  const secretPath = nonEmpty(env[fileVar]);

  if (direct !== undefined && secretPath !== undefined) {
    problems.push({
      code: 'conflicting_sources',
      key,
      envVar,
      message: `set either ${envVar} or ${fileVar}, not both`,
    });
    return 'problem';
  }
  if (direct !== undefined) return { value: direct, source: { kind: 'env', variable: envVar } };
  if (secretPath !== undefined) {
    try {
      // Secret files written by editors or `echo` end with a newline that is not part of the secret.
      const value = readFileSync(secretPath, 'utf8').replace(/[\r\n]+$/, '');
      return { value, source: { kind: 'file', variable: fileVar, path: secretPath } };
    } catch (error) {
      problems.push({
        code: 'unreadable_file',
        key,
        envVar,
        message: `cannot read ${fileVar}=${secretPath} (${errorCode(error)})`,
      });
      return 'problem';
    }
  }
  for (const alias of standardAliasesFor(key)) {
    const value = nonEmpty(env[alias]);
    if (value !== undefined) return { value, source: { kind: 'alias', variable: alias } };
  }
  if (file && yamlValues.has(key))
    return { value: yamlValues.get(key), source: { kind: 'yaml', path: file.path } };
  return undefined;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}

function sourceNote(source: ValueSource | undefined): string {
  switch (source?.kind) {
    case 'file':
      return ` (from ${source.variable}=${source.path})`;
    case 'alias':
      return ` (from ${source.variable})`;
    case 'yaml':
      return ` (from ${source.path})`;
    default:
      return '';
  }
}

function issueToProblem(
  key: string,
  issue: z.core.$ZodIssue,
  raw: RawValue | undefined,
  missing: boolean,
): ConfigProblem {
  const envVar = key === '' ? CONFIG_FILE_ENV_VAR : envVarFor(key);
  if (missing) return { code: 'required', key, envVar, message: 'required' };
  const secret = isSecretKey(key) || raw?.source.kind === 'file';
  const nestedPath = issue.path.slice(1).map(String);
  const at = nestedPath.length > 0 ? `at ${nestedPath.join('.')}: ` : '';
  // Show what the operator wrote (before coercion) for the key itself, the offending element for nested issues.
  const shown = nestedPath.length > 0 ? issue.input : raw?.value;
  const got = shown === undefined ? '' : `, got ${displayValue(shown, secret)}`;
  return {
    code: 'invalid_value',
    key,
    envVar,
    message: `${at}${issue.message}${got}${sourceNote(raw?.source)}`,
  };
}

/** Short messages for the common cases; schemas' own messages take precedence over these. */
function friendlyIssueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'required';
      if (issue.expected === 'int' || (issue.expected === 'number' && isIntegerSchema(issue.inst)))
        return 'expected an integer';
      if (issue.expected === 'boolean') return 'expected a boolean (true, false, 1 or 0)';
      return `expected ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => String(v)).join('|')}`;
    case 'too_big':
      return `expected ${boundDescription(issue.origin, issue.inclusive ? 'at most' : 'less than', issue.maximum)}`;
    case 'too_small':
      return `expected ${boundDescription(issue.origin, issue.inclusive ? 'at least' : 'more than', issue.minimum)}`;
    case 'invalid_format':
      if (issue.format === 'regex' && issue.pattern) return `expected a value matching ${issue.pattern}`;
      if (issue.format === 'url')
        return issue.pattern ? `expected a URL with a protocol matching ${issue.pattern}` : 'expected a URL';
      return `expected a valid ${issue.format}`;
    default:
      return undefined;
  }
}

interface NumberFormatDef {
  format?: string;
  checks?: { _zod: { def: { format?: string } } }[];
}

/** `z.int()` and `z.number().int()` both report "expected number" for a string: look at the schema to say "integer". */
function isIntegerSchema(inst: unknown): boolean {
  const def = (inst as { _zod?: { def?: NumberFormatDef } } | undefined)?._zod?.def;
  const formats = [def?.format, ...(def?.checks ?? []).map((check) => check._zod.def.format)];
  return formats.some((format) => format !== undefined && /int/.test(format));
}

function boundDescription(origin: string, comparison: string, bound: number | bigint): string {
  if (origin === 'string') return `${comparison} ${bound} characters`;
  if (origin === 'array' || origin === 'set') return `${comparison} ${bound} items`;
  return `a value ${comparison} ${bound}`;
}
