/** Never rename: clients are granted these by name (authority scope catalogue). */
export const EVIDENCE_READ_SCOPE = 'evidence:read';
export const EVIDENCE_EXPORT_SCOPE = 'evidence:export';
