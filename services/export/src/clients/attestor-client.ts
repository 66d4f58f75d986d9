import type { AttestationReference, InclusionProofFile } from '@stella/evidence';
import { parseUnverifiedCheckpoint } from '@stella/tlog';
import { z } from 'zod';
import { ExportError } from '../common/export-error';
import type { TokenProvider } from './signer-client';

const proofSchema = z.object({ index: z.number().int().min(0), treeSize: z.number().int().min(1), hashes: z.array(z.string()) });
const signerKeysSchema = z.object({ keys: z.array(z.object({ keyId: z.string(), certificatePem: z.string().min(1) })) });
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

/** Which attested decision (from `stella.attestor.decision.attested`). */
export interface AttestedDecision {
  tenantId: string;
  attestationId: string;
  logIndex: number;
  /** The signer's key id: its certificate is the decision's signing certificate. */
  keyId: string;
}

/**
 * What the export service reads from the attestor and the signer. The decision's own evidence comes
 * from their public endpoints (log entry, latest checkpoint, inclusion proof, certificates), so
 * packets are built for every tenant; references to other attestations are tenant data (`attest:read`).
 */
export interface AttestorClient {
  decisionAttestation(decision: AttestedDecision): Promise<DecisionAttestation>;
  /** Attestations (SBOM, scan, VEX, ...) about a digest; empty unless the service token is the tenant's. */
  attestationsAbout(tenantId: string, digest: string): Promise<AttestationReference[]>;
  logKey(): Promise<{ origin: string; vkey: string }>;
}

export class HttpAttestorClient implements AttestorClient {
  private readonly base: string;
  private key: Promise<{ origin: string; vkey: string }> | undefined;

  private readonly signerBase: string;

  constructor(
    baseUrl: string,
    signerUrl: string,
    private readonly tokens: TokenProvider,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
    this.signerBase = signerUrl.replace(/\/+$/, '');
  }

  async decisionAttestation(decision: AttestedDecision): Promise<DecisionAttestation> {
    const entry = entrySchema.parse(await this.get(`/api/v1/log/entries/${decision.logIndex}`, false));
    // The latest checkpoint, and the proof for exactly its size (the log may grow in between).
    const checkpoint = await this.getText(`${this.base}/api/v1/log/checkpoint`);
    const size = parseUnverifiedCheckpoint(checkpoint).size;
    const proof = proofSchema.parse(await this.get(`/api/v1/log/proofs/inclusion?index=${decision.logIndex}&size=${size}`, false));
    const keys = signerKeysSchema.parse(await this.getJson(`${this.signerBase}/api/v1/keys`, false));
    const key = keys.keys.find((k) => k.keyId === decision.keyId);
    if (key === undefined) throw new ExportError('SIGNER_UNAVAILABLE', `the signer does not list key ${decision.keyId}`, { keyId: decision.keyId });
    const ca = await this.getText(`${this.signerBase}/api/v1/ca`);
    return {
      attestationId: decision.attestationId,
      certificateChain: [key.certificatePem, ca],
      checkpoint,
      inclusionProof: { logIndex: proof.index, treeSize: proof.treeSize, hashes: proof.hashes },
      entryData: Buffer.from(entry.data, 'base64'),
      integratedAt: new Date(entry.integratedAt).toISOString(),
    };
  }

  async attestationsAbout(tenantId: string, digest: string): Promise<AttestationReference[]> {
    // The attestor answers the token's tenant only: never list one tenant's attestations in another's packet.
    if ((await this.tokenTenant()) !== tenantId) return [];
    const list = listSchema.parse(await this.get(`/api/v1/attestations?subject=${encodeURIComponent(digest)}&limit=500`, true));
    return list.attestations;
  }

  /** The tenant claim of the service's own access token (issued by the authority to this service). */
  private async tokenTenant(): Promise<string | undefined> {
    try {
      const payload = (await this.tokens.getToken()).split('.')[1] ?? '';
      return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { tenant?: string }).tenant;
    } catch {
      return undefined;
    }
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

  private get(path: string, authenticated: boolean): Promise<unknown> {
    return this.getJson(`${this.base}${path}`, authenticated);
  }

  private async getText(url: string): Promise<string> {
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    } catch (cause) {
      throw new ExportError('ATTESTOR_UNAVAILABLE', `no answer from ${url}`, {}, { cause });
    }
    if (!response.ok) throw new ExportError('ATTESTOR_UNAVAILABLE', `${url} answered ${response.status}`, { status: response.status });
    return response.text();
  }

  private async getJson(url: string, authenticated: boolean): Promise<unknown> {
    const path = url;
    let response: Response;
    try {
      response = await fetch(url, {
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
