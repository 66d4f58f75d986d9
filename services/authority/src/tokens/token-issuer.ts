import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '@stella/auth';
import { STELLA_CONFIG } from '@stella/platform';
import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { AUTHORITY_CLOCK } from '../common/tokens';
import { issuerOf, type AuthorityConfig } from '../config/authority-config';
import { SigningKeysService } from '../signing-keys/signing-keys.service';

export interface AccessTokenGrant {
  subject: string;
  clientId: string;
  tenant: string;
  scopes: readonly string[];
  audience: string;
  /** User tokens carry their roles (RFC 9068 §7.2.1.1); client tokens do not. */
  roles?: readonly string[];
}

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
  scope: string;
}

/** Signs RFC 9068 JWT access tokens with the active signing key. */
@Injectable()
export class TokenIssuer {
  private readonly issuer: string;

  constructor(
    @Inject(STELLA_CONFIG) private readonly config: AuthorityConfig,
    @Inject(AUTHORITY_CLOCK) private readonly clock: Clock,
    private readonly keys: SigningKeysService,
  ) {
    this.issuer = issuerOf(config);
  }

  async issue(grant: AccessTokenGrant): Promise<IssuedAccessToken> {
    const key = await this.keys.activeKey();
    const now = Math.floor(this.clock.now() / 1000);
    const ttl = this.config.authorityTokenTtlSec;
    const scope = [...grant.scopes].sort().join(' ');
    const claims: Record<string, unknown> = {
      client_id: grant.clientId,
      tenant: grant.tenant,
      scope,
      ...(grant.roles === undefined ? {} : { roles: [...grant.roles] }),
    };
    const accessToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: key.algorithm, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(this.issuer)
      .setAudience(grant.audience)
      .setSubject(grant.subject)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + ttl)
      .setJti(randomUUID())
      .sign(key.privateKey);
    return { accessToken, expiresIn: ttl, scope };
  }
}
