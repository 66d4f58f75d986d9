export type ConfigProblemCode =
  /** A required key has no value from any source. */
  | 'required'
  /** A value is present but does not satisfy the schema. */
  | 'invalid_value'
  /** Both `STELLA_X` and `STELLA_X_FILE` are set. */
  | 'conflicting_sources'
  /** A `_FILE` secret or the configuration file cannot be read. */
  | 'unreadable_file'
  /** The configuration file is not a YAML mapping. */
  | 'invalid_config_file'
  /** The configuration file has a key the schema does not know. */
  | 'unknown_key';

export interface ConfigProblem {
  readonly code: ConfigProblemCode;
  /** Schema key (camelCase), or the offending YAML key for `unknown_key`. */
  readonly key: string;
  /** The environment variable an operator would set to fix it. */
  readonly envVar: string;
  /** Human-readable; never contains a secret value. */
  readonly message: string;
}

/** Thrown by `loadConfig` with every problem found, so one restart fixes them all. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID' as const;

  constructor(
    readonly service: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `Invalid configuration for ${service}:\n` +
        problems.map((p) => `  ${p.envVar}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}
