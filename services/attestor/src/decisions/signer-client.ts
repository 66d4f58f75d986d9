import { NatsSignerClient, type TokenProvider } from '@stella/signer-client';
import type { NatsConnection } from 'nats';
import { AttestorError } from '../common/attestor-error';

export type { SignedPayload, SignerClient, TokenProvider } from '@stella/signer-client';

/** The shared signer client of @stella/signer-client, failing with AttestorError codes. */
export function attestorSignerClient(
  nc: NatsConnection,
  prefix: string,
  tokens: TokenProvider,
  timeoutMs: number,
): NatsSignerClient {
  return new NatsSignerClient({
    nc,
    prefix,
    tokens,
    timeoutMs,
    error: (code, message, details, options) => new AttestorError(code, message, details, options),
  });
}
