import { PolicyInitial1765400000000 } from './1765400000000-policy-initial';
import { PolicySbomComponents1765400000001 } from './1765400000001-policy-sbom-components';
import { PolicyRiskFindings1765400000002 } from './1765400000002-policy-risk-findings';
import { PolicyInputParts1765400000003 } from './1765400000003-policy-input-parts';

/** In order. Append only: a shipped migration is never edited. */
export const policyMigrations = [
  PolicyInitial1765400000000, PolicySbomComponents1765400000001, PolicyRiskFindings1765400000002,
  PolicyInputParts1765400000003,
];
