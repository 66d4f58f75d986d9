import { Controller, Get, Header, Inject } from '@nestjs/common';
import { Public } from '@stella/auth';
import { STELLA_CONFIG } from '@stella/platform';
import type { JWK } from 'jose';
import { issuerOf, type AuthorityConfig } from '../config/authority-config';
import { ScopeCatalogue } from '../roles/scope-catalogue';
import { SigningKeysService } from '../signing-keys/signing-keys.service';

/** Key set and metadata verifiers and clients discover the authority through. */
@Controller('.well-known')
@Public()
export class DiscoveryController {
  private readonly metadata: Record<string, unknown>;

  constructor(
    @Inject(STELLA_CONFIG) config: AuthorityConfig,
    private readonly keys: SigningKeysService,
  ) {
    const issuer = issuerOf(config);
    // Only what is true of this server: no authorization endpoint, no ID tokens, no userinfo.
    this.metadata = {
      issuer,
      token_endpoint: `${issuer}/oauth/token`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      grant_types_supported: ['client_credentials', 'password'],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      scopes_supported: new ScopeCatalogue(config.authorityExtraScopes).all,
      access_token_signing_alg_values_supported: [config.authoritySigningAlgorithm],
    };
  }

  /** Short cache: a rotated-in key must reach verifiers that refetch for its unknown kid within seconds. */
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=10')
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: await this.keys.publishedKeys() };
  }

  @Get('openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  openidConfiguration(): Record<string, unknown> {
    return this.metadata;
  }

  /** RFC 8414 location of the same metadata. */
  @Get('oauth-authorization-server')
  @Header('Cache-Control', 'public, max-age=300')
  oauthAuthorizationServer(): Record<string, unknown> {
    return this.metadata;
  }
}
