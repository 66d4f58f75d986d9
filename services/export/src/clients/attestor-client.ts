import type { AttestationReference, InclusionProofFile } from '@stella/evidence';
import { z } from 'zod';
import { ExportError } from '../common/export-error';
import type { TokenProvider } from './signer-client';

const attestationSchema = z.object({
  attestationId: z.uuid(),
  predicateType: z.string(),
  subjectDigests: z.array(z.string()),
  envelopeDigest: z.string(),
  logIndex: z.number().int().min(0),
  certificateChain: z.array(z.string()).min(1),
  checkpoint: z.string().min(1),
  inclusionProof: z.object({ index: z.number().int().min(0), treeSize: z.number().int().min(1), hashes: z.array(z.string()) }),
});
const entrySchema = z.object({ index: z.number().int(), data: z.string(), integratedAt: z.string() });
const listSchema = z.object({
  attestations: z.array(z.object({ attestationId: z.uuid(), predicateType: z.string(), subjectDigests: z.array(z.string()), envelopeDigest: z.string(), logIndex: z.number().int().min(0) })),
});
const keySchema = z.object({ origin: z.string(), vkey: z.string() });

export interface DecisionAttestation {
  attestationId: string;
  certificateChain: string[];
  checkpoint: string;
  inclusionProof: InclusionProofFile;
  /** The log entry's exact bytes (the DSSE envelope as logged). */
  entryData: Buffer;
  /** When the entry was integrated into the log: the signing time packets are checked at. */
  integratedAt: string;
}

/** What the export service reads from the attestor (REST, `attest:read`). */
export interface AttestorClient {
  decisionAttestation(tenantId: string, attestationId: string): Promise<DecisionAttestation>;
  /** Attestations (SBOM, scan, VEX, ...) about a digest. */
  attestationsAbout(tenantId: string, digest: string): Promise<AttestationReference[]>;
  logKey(): Promise<{ origin: string; vkey: string }>;
}

export class HttpAttestorClient implements AttestorClient {
  private readonly base: string;
  private key: Promise<{ origin: string; vkey: string }> | undefined;

  constructor(
    baseUrl: string,
    private readonly tokens: TokenProvider,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  async decisionAttestation(_tenantId: string, attestationId: string): Promise<DecisionAttestation> {
    const attestation = attestationSchema.parse(await this.get(`/api/v1/attestations/${attestationId}`, true));
    const entry = entrySchema.parse(await this.get(`/api/v1/log/entries/${attestation.logIndex}`, false));
    return {
      attestationId: attestation.attestationId,
      certificateChain: attestation.certificateChain,
      checkpoint: attestation.checkpoint,
      inclusionProof: { logIndex: attestation.inclusionProof.index, treeSize: attestation.inclusionProof.treeSize, hashes: attestation.inclusionProof.hashes },
      entryData: Buffer.from(entry.data, 'base64'),
      integratedAt: new Date(entry.integratedAt).toISOString(),
    };
  }

  async attestationsAbout(_tenantId: string, digest: string): Promise<AttestationReference[]> {
    const list = listSchema.parse(await this.get(`/api/v1/attestations?subject=${encodeURIComponent(digest)}&limit=500`, true));
    return list.attestations;
  }

  /** The log's key never changes for a log (its origin names it): read once. */
  async logKey(): Promise<{ origin: string; vkey: string }> {
    this.key ??= this.get('/api/v1/log/key', false).then((body) => keySchema.parse(body));
    try {
      return await this.key;
    } catch (error) {
      this.key = undefined;
      throw error;
    }
  }

  private async get(path: string, authenticated: boolean): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        headers: authenticated ? { authorization: `Bearer ${await this.tokens.getToken()}`, accept: 'application/json' } : { accept: 'application/json' },
        signal: AbortSignal.timeout(10_000),
      });
    } catch (cause) {
      throw new ExportError('ATTESTOR_UNAVAILABLE', `the attestor did not answer ${path}`, {}, { cause });
    }
    if (response.status === 401) this.tokens.invalidate?.();
    if (!response.ok) {
      throw new ExportError('ATTESTOR_UNAVAILABLE', `the attestor answered ${response.status} to ${path}`, { status: response.status, body: (await response.text()).slice(0, 512) });
    }
    return response.json();
  }
}
