import { requireScopes } from './authorization';
import { AuthError } from './errors';
import type { Principal } from './principal';
import type { TokenVerifier } from './token-verifier';

/** What is read of gRPC call metadata (structurally @grpc/grpc-js's Metadata). */
export interface MetadataLike {
  get(key: string): unknown[];
}

/**
 * Verifies the `authorization: Bearer <token>` metadata of a gRPC call and checks the scopes.
 * A missing header is left to the verifier (it refuses with TOKEN_MISSING).
 */
export async function verifyBearerMetadata(
  verifier: TokenVerifier,
  metadata: MetadataLike,
  scopes: readonly string[],
): Promise<Principal> {
  const header = metadata.get('authorization')[0];
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  if (header !== undefined && !match)
    throw new AuthError('TOKEN_MALFORMED', 'authorization metadata is not "Bearer <token>"');
  const principal = await verifier.verify(match?.[1]);
  requireScopes(principal, scopes);
  return principal;
}
