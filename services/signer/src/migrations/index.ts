import { SignerInitial1764100000000 } from './1764100000000-signer-initial';
import { SignerKeylessAudit1764200000000 } from './1764200000000-signer-keyless-audit';

/** In order. Append only: a shipped migration is never edited. */
export const signerMigrations = [SignerInitial1764100000000, SignerKeylessAudit1764200000000];
