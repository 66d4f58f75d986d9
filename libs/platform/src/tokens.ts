/** Injection tokens the platform provides to every service module. */
export const STELLA_CONFIG = Symbol.for('stella.config');
export const STELLA_LOGGER = Symbol.for('stella.logger');
export const STELLA_METRICS = Symbol.for('stella.metrics');
export const STELLA_BUILD_INFO = Symbol.for('stella.build-info');
export const STELLA_SERVICE_NAME = Symbol.for('stella.service-name');
