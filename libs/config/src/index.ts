export { loadConfig, type LoadConfigOptions, DEFAULT_CONFIG_DIR, CONFIG_FILE_ENV_VAR } from './load-config';
export { ConfigError, type ConfigProblem, type ConfigProblemCode } from './config-error';
export { baseServiceConfigSchema, type BaseServiceConfig, LOG_LEVELS } from './base-service-config';
export { envVarFor, fileEnvVarFor, yamlKeyFor, STANDARD_ENV_ALIASES } from './key-names';
