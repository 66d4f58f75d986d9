import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { bundleToJSON, type SerializedBundle } from '@sigstore/bundle';
import { DSSEBundleBuilder, FulcioSigner, InternalError, RekorWitness } from '@sigstore/sign';
import { SignerError } from '../common/signer-error';
import type { SignerConfig } from '../config/signer-config';

export interface KeylessSignature {
  /** Sigstore bundle v0.3 (`application/vnd.dev.sigstore.bundle.v0.3+json`): DSSE envelope, Fulcio certificate, Rekor entry. */
  bundle: SerializedBundle;
  /** The Fulcio certificate (PEM) of the ephemeral key. */
  certificatePem: string;
  certificateSha256: string;
  /** The certificate's subject alternative name: the OIDC identity it binds. */
  identity: string;
  /** Base64 DSSE signature. */
  signature: string;
  /** Rekor log index, when uploaded. */
  rekorLogIndex: string | null;
}

export interface KeylessSettings {
  fulcioUrl: string;
  rekorUrl: string;
  tokenFile: string;
  tlogUpload: boolean;
  timeoutMs: number;
}

export function keylessSettings(config: SignerConfig): KeylessSettings | undefined {
  if (!config.signerSigstoreEnabled || config.signerSigstoreOidcTokenFile === undefined) return undefined;
  return {
    fulcioUrl: config.signerSigstoreFulcioUrl,
    rekorUrl: config.signerSigstoreRekorUrl,
    tokenFile: config.signerSigstoreOidcTokenFile,
    tlogUpload: config.signerSigstoreTlogUpload,
    timeoutMs: config.signerSigstoreTimeoutMs,
  };
}

/** The first line of an upstream failure, without the token the library may quote. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/eyJ[A-Za-z0-9_.-]+/g, '<token>').slice(0, 300);
}

function upstreamStatus(error: unknown): number | undefined {
  const cause = error instanceof InternalError ? error.cause : undefined;
  const status = (cause as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function certificateIdentity(cert: X509Certificate): string {
  const san = cert.subjectAltName ?? '';
  const match = /(?:email|URI):([^,]+)/.exec(san);
  return match?.[1]?.trim() ?? san;
}

/**
 * Sigstore keyless signing with `@sigstore/sign`: an ephemeral P-256 key, certified by Fulcio for
 * the OIDC identity read from the token file (re-read per signature: workload tokens are short
 * lived), the DSSE signature uploaded to Rekor. Every failure is a SignerError, never a fallback.
 */
export class KeylessSigner {
  constructor(private readonly settings: KeylessSettings) {}

  get fulcioUrl(): string {
    return this.settings.fulcioUrl;
  }

  get rekorUrl(): string {
    return this.settings.rekorUrl;
  }

  async sign(payloadType: string, payload: Buffer): Promise<KeylessSignature> {
    const token = await this.readToken();
    const { fulcioUrl, rekorUrl, timeoutMs, tlogUpload } = this.settings;
    const builder = new DSSEBundleBuilder({
      signer: new FulcioSigner({
        fulcioBaseURL: fulcioUrl,
        identityProvider: { getToken: () => Promise.resolve(token) },
        timeout: timeoutMs,
        retry: 0,
      }),
      witnesses: tlogUpload
        ? [
            new RekorWitness({
              rekorBaseURL: rekorUrl,
              entryType: 'dsse',
              fetchOnConflict: true,
              timeout: timeoutMs,
              retry: 0,
            }),
          ]
        : [],
    });
    let bundle;
    try {
      bundle = await builder.create({ data: payload, type: payloadType });
    } catch (error) {
      const code = error instanceof InternalError ? error.code : 'UNKNOWN';
      if (code.startsWith('IDENTITY')) {
        // e.g. an `email` claim not verified by its issuer: the token is unusable, not Sigstore.
        throw new SignerError(
          'SIGSTORE_IDENTITY_UNAVAILABLE',
          `the OIDC identity token is not usable: ${describe((error as InternalError).cause ?? error)}`,
          { tokenFile: this.settings.tokenFile },
          { cause: error },
        );
      }
      const service = code.startsWith('TLOG') ? 'rekor' : 'fulcio';
      const status = upstreamStatus(error);
      throw new SignerError(
        'SIGSTORE_UNAVAILABLE',
        `Sigstore ${service} failed: ${describe(error)}`,
        { service, ...(status === undefined ? {} : { upstreamStatus: status }) },
        { cause: error },
      );
    }
    const json = bundleToJSON(bundle);
    const material = bundle.verificationMaterial.content;
    if (material.$case !== 'x509CertificateChain' && material.$case !== 'certificate') {
      throw new SignerError('SIGSTORE_UNAVAILABLE', 'Fulcio returned no certificate', { service: 'fulcio' });
    }
    const der =
      material.$case === 'certificate'
        ? material.certificate.rawBytes
        : material.x509CertificateChain.certificates[0]!.rawBytes;
    const cert = new X509Certificate(der);
    const content = bundle.content;
    const signature =
      content.$case === 'dsseEnvelope' ? content.dsseEnvelope.signatures[0]!.sig.toString('base64') : '';
    const entry = bundle.verificationMaterial.tlogEntries[0];
    return {
      bundle: json,
      certificatePem: cert.toString(),
      certificateSha256: createHash('sha256').update(der).digest('hex'),
      identity: certificateIdentity(cert),
      signature,
      rekorLogIndex: entry ? entry.logIndex : null,
    };
  }

  private async readToken(): Promise<string> {
    let token: string;
    try {
      token = (await readFile(this.settings.tokenFile, 'utf8')).trim();
    } catch (error) {
      throw new SignerError(
        'SIGSTORE_IDENTITY_UNAVAILABLE',
        `the OIDC identity token file cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        { tokenFile: this.settings.tokenFile },
        { cause: error },
      );
    }
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) {
      throw new SignerError('SIGSTORE_IDENTITY_UNAVAILABLE', 'the OIDC identity token file holds no JWT', {
        tokenFile: this.settings.tokenFile,
      });
    }
    return token;
  }
}
