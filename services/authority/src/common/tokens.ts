/** Injection tokens of the authority's ports. */
export const AUTHORITY_CLOCK = Symbol.for('stella.authority.clock');
export const AUTHORITY_DATA_SOURCE = Symbol.for('stella.authority.data-source');
