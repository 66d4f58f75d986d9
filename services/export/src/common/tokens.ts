export const EXPORT_CLOCK = Symbol.for('stella.export.clock');
export const EXPORT_OBJECT_STORE = Symbol.for('stella.export.object-store');
export const EXPORT_SIGNER = Symbol.for('stella.export.signer');
export const EXPORT_ATTESTOR = Symbol.for('stella.export.attestor');
export const EXPORT_REPOSITORY = Symbol.for('stella.export.repository');
export const EXPORT_SERVICE_TOKENS = Symbol.for('stella.export.service-tokens');
export const EXPORT_HANDLERS = Symbol.for('stella.export.handlers');
