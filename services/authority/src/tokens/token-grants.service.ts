import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '@stella/auth';
import { TENANT_ID_PATTERN, type LoginFailedV1 } from '@stella/contracts';
import { withTransaction } from '@stella/db';
import type { Logger } from '@stella/observability';
import { STELLA_CONFIG, STELLA_LOGGER } from '@stella/platform';
import { isIP } from 'node:net';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { ClientRepository } from '../clients/client.repository';
import { clientSecretMatches, hashClientSecret } from '../common/secrets';
import { AUTHORITY_CLOCK, AUTHORITY_DATA_SOURCE } from '../common/tokens';
import type { AuthorityConfig } from '../config/authority-config';
import { AuthorityEvents } from '../events/authority-events';
import { scopesOfRoles } from '../roles/role-catalogue';
import { ScopeCatalogue } from '../roles/scope-catalogue';
import { UserRepository } from '../users/user.repository';
import { BASIC_CHALLENGE, presentedClientCredentials } from './client-authentication';
import { FailedAttemptLimiter } from './failed-attempt-limiter';
import { OAuthError } from './oauth-error';
import { PasswordHasher } from '../users/password-hasher';
import { TokenIssuer, type IssuedAccessToken } from './token-issuer';
import {
  clientCredentialsRequestSchema,
  parseScopeParam,
  passwordRequestSchema,
  SUPPORTED_GRANT_TYPES,
  type ClientCredentialsRequest,
  type PasswordRequest,
} from './token-request';

export interface TokenRequestInput {
  body: unknown;
  authorization: string | undefined;
  remoteAddress: string | undefined;
}

type FailureReason = LoginFailedV1['reason'];

/** Compared against when the client id is unknown, so both paths do the same work. */
const DUMMY_SECRET_HASH = hashClientSecret('stella-dummy-client-secret-for-timing-equalisation');

const RECORD_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

/** The token endpoint's use cases: client_credentials (RFC 6749 §4.4) and password (§4.3). */
@Injectable()
export class TokenGrantsService {
  private readonly principalLimiter: FailedAttemptLimiter;
  private readonly ipLimiter: FailedAttemptLimiter;
  private readonly scopes: ScopeCatalogue;
  private readonly publicClients: ReadonlySet<string>;

  constructor(
    @Inject(STELLA_CONFIG) private readonly config: AuthorityConfig,
    @Inject(STELLA_LOGGER) private readonly logger: Logger,
    @Inject(AUTHORITY_CLOCK) clock: Clock,
    @Inject(AUTHORITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly clients: ClientRepository,
    private readonly users: UserRepository,
    private readonly passwords: PasswordHasher,
    private readonly issuer: TokenIssuer,
    private readonly events: AuthorityEvents,
  ) {
    const windowMs = config.authorityFailureWindowSec * 1000;
    this.principalLimiter = new FailedAttemptLimiter(
      config.authorityMaxFailuresPerPrincipal,
      windowMs,
      clock,
    );
    this.ipLimiter = new FailedAttemptLimiter(config.authorityMaxFailuresPerIp, windowMs, clock);
    this.scopes = new ScopeCatalogue(config.authorityExtraScopes);
    this.publicClients = new Set(config.authorityPublicClients);
  }

  async exchange(input: TokenRequestInput): Promise<IssuedAccessToken> {
    const body = input.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new OAuthError(
        400,
        'invalid_request',
        'send the parameters form-urlencoded (or as a JSON object)',
      );
    }
    const grantType = (body as Record<string, unknown>)['grant_type'];
    if (typeof grantType !== 'string') throw new OAuthError(400, 'invalid_request', 'grant_type is required');
    this.refuseIfBlocked(ipKey(input.remoteAddress), this.ipLimiter);
    switch (grantType) {
      case 'client_credentials':
        return this.clientCredentials(parseRequest(clientCredentialsRequestSchema, body), input);
      case 'password':
        return this.password(parseRequest(passwordRequestSchema, body), input);
      default:
        throw new OAuthError(
          400,
          'unsupported_grant_type',
          `supported grant types: ${SUPPORTED_GRANT_TYPES.join(', ')}`,
        );
    }
  }

  private async clientCredentials(
    request: ClientCredentialsRequest,
    input: TokenRequestInput,
  ): Promise<IssuedAccessToken> {
    const credentials = presentedClientCredentials(input.authorization, request);
    if (!credentials) {
      throw new OAuthError(401, 'invalid_client', 'client authentication required', BASIC_CHALLENGE);
    }
    const principalKey = `client:${credentials.clientId}`;
    this.refuseIfBlocked(principalKey, this.principalLimiter);

    const client = await this.clients.findForAuthentication(credentials.clientId);
    const secretOk = clientSecretMatches(credentials.clientSecret, client?.secretSha256 ?? DUMMY_SECRET_HASH);
    if (!client || !secretOk || client.disabled) {
      const reason: FailureReason = !client
        ? 'unknown_principal'
        : !secretOk
          ? 'invalid_credentials'
          : 'principal_disabled';
      await this.recordFailure(principalKey, input.remoteAddress, {
        tenantId: client?.tenantId ?? this.config.authorityBootstrapTenant,
        principal: {
          type: 'client',
          ...(RECORD_ID.test(credentials.clientId) ? { id: credentials.clientId } : {}),
        },
        reason,
      });
      // One answer for unknown, wrong secret and disabled: callers cannot tell which ids exist.
      throw new OAuthError(
        401,
        'invalid_client',
        'client authentication failed',
        credentials.viaBasic ? BASIC_CHALLENGE : {},
      );
    }

    const requested = parseScopeParam(request.scope);
    const allowed = new Set(client.allowedScopes);
    const refused = requested.filter((scope) => !allowed.has(scope));
    if (refused.length > 0) {
      await this.audit(
        {
          tenantId: client.tenantId,
          principal: { type: 'client', id: client.clientId },
          reason: 'invalid_scope',
        },
        input.remoteAddress,
      );
      throw new OAuthError(400, 'invalid_scope', `scope not allowed for this client: ${refused.join(' ')}`);
    }
    this.principalLimiter.reset(principalKey);
    return this.issuer.issue({
      subject: client.clientId,
      clientId: client.clientId,
      tenant: client.tenantId,
      scopes: requested.length > 0 ? requested : client.allowedScopes,
      audience: this.audience(request.audience),
    });
  }

  private async password(request: PasswordRequest, input: TokenRequestInput): Promise<IssuedAccessToken> {
    const presented = presentedClientCredentials(input.authorization, request);
    if (presented) {
      throw new OAuthError(
        400,
        'unauthorized_client',
        'the password grant is for first-party public clients only',
      );
    }
    const clientId = request.client_id ?? this.config.authorityPublicClients[0] ?? 'stella-cli';
    if (!this.publicClients.has(clientId)) {
      throw new OAuthError(400, 'unauthorized_client', `client ${clientId} may not use the password grant`);
    }
    const tenantId = request.tenant ?? this.config.authorityBootstrapTenant;
    const principalKey = `user:${tenantId}/${request.username.toLowerCase()}`;
    this.refuseIfBlocked(principalKey, this.principalLimiter);

    const found = await this.users.findForLogin(tenantId, request.username);
    const passwordOk = found
      ? await this.passwords.verify(found.user.passwordHash, request.password)
      : await this.passwords.verifyAgainstDummy(request.password);
    if (!found || !passwordOk || found.user.disabled) {
      const reason: FailureReason = !found
        ? 'unknown_principal'
        : !passwordOk
          ? 'invalid_credentials'
          : 'principal_disabled';
      await this.recordFailure(principalKey, input.remoteAddress, {
        tenantId: found ? tenantId : this.attributableTenant(tenantId),
        principal: {
          type: 'user',
          ...(found ? { id: found.user.id } : {}),
          username: request.username.slice(0, 200),
        },
        reason,
      });
      throw new OAuthError(400, 'invalid_grant', 'invalid username or password');
    }

    const grantable = new Set(this.scopes.grantableIn(tenantId, this.config.authorityBootstrapTenant));
    const held = [...scopesOfRoles(found.roles, this.scopes.all)].filter((scope) => grantable.has(scope));
    const requested = parseScopeParam(request.scope);
    const heldSet = new Set(held);
    const refused = requested.filter((scope) => !heldSet.has(scope));
    if (refused.length > 0) {
      await this.audit(
        {
          tenantId,
          principal: { type: 'user', id: found.user.id, username: found.user.username },
          reason: 'invalid_scope',
        },
        input.remoteAddress,
      );
      throw new OAuthError(400, 'invalid_scope', `scope not granted to this user: ${refused.join(' ')}`);
    }
    this.principalLimiter.reset(principalKey);
    return this.issuer.issue({
      subject: found.user.id,
      clientId,
      tenant: tenantId,
      scopes: requested.length > 0 ? requested : held,
      audience: this.audience(request.audience),
      roles: found.roles,
    });
  }

  private audience(requested: string | undefined): string {
    const audiences = this.config.authorityAudiences;
    if (requested === undefined) return audiences[0] ?? 'stella';
    if (!audiences.includes(requested)) {
      throw new OAuthError(400, 'invalid_target', `unknown audience; known: ${audiences.join(', ')}`);
    }
    return requested;
  }

  /** Unknown tenants cannot own events; the failure is filed under the operator's tenant. */
  private attributableTenant(tenantId: string): string {
    return TENANT_ID_PATTERN.test(tenantId) ? tenantId : this.config.authorityBootstrapTenant;
  }

  private refuseIfBlocked(key: string, limiter: FailedAttemptLimiter): void {
    const retryAfter = limiter.retryAfterSec(key);
    if (retryAfter !== undefined) {
      throw new OAuthError(
        429,
        'temporarily_unavailable',
        `too many failed attempts; retry in ${retryAfter} s`,
        {
          'Retry-After': String(retryAfter),
        },
      );
    }
  }

  private async recordFailure(
    principalKey: string,
    remoteAddress: string | undefined,
    failure: Omit<LoginFailedV1, 'remoteAddress'>,
  ): Promise<void> {
    const principalBlocked = this.principalLimiter.recordFailure(principalKey);
    const ipBlocked = this.ipLimiter.recordFailure(ipKey(remoteAddress));
    await this.audit(failure, remoteAddress);
    // One extra event when a lock engages, not one per refused attempt: a flood stays cheap.
    if (principalBlocked || ipBlocked) await this.audit({ ...failure, reason: 'locked_out' }, remoteAddress);
  }

  private async audit(
    failure: Omit<LoginFailedV1, 'remoteAddress'>,
    remoteAddress: string | undefined,
  ): Promise<void> {
    const address = normaliseAddress(remoteAddress);
    try {
      await withTransaction(this.dataSource, (manager) =>
        this.events.record(manager, 'stella.authority.login.failed', {
          ...failure,
          ...(address === undefined ? {} : { remoteAddress: address }),
        }),
      );
    } catch (error) {
      // The refusal stands even if the audit write fails; the log keeps the trace.
      this.logger.error({ err: error, failure }, 'could not record login.failed');
    }
  }
}

function parseRequest<S extends z.ZodType>(schema: S, body: object): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || 'body'))];
  throw new OAuthError(400, 'invalid_request', `invalid or missing parameter(s): ${fields.join(', ')}`);
}

function ipKey(remoteAddress: string | undefined): string {
  return `ip:${normaliseAddress(remoteAddress) ?? 'unknown'}`;
}

/** `::ffff:127.0.0.1` (IPv4 on a dual-stack socket) -> `127.0.0.1`; anything not an IP -> undefined. */
function normaliseAddress(remoteAddress: string | undefined): string | undefined {
  if (remoteAddress === undefined) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  const address = mapped?.[1] ?? remoteAddress;
  return isIP(address) === 0 ? undefined : address;
}
