export const SIGNER_KEY_RING = Symbol.for('stella.signer.key-ring');
export const SIGNER_SIGN_USECASE = Symbol.for('stella.signer.sign-usecase');
export const SIGNER_AUDIT_WRITER = Symbol.for('stella.signer.audit-writer');
