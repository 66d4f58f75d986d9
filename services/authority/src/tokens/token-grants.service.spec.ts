import type { Logger } from '@stella/observability';
import type { DataSource } from 'typeorm';
import type { ClientRepository, AuthenticatingClient } from '../clients/client.repository';
import { hashClientSecret } from '../common/secrets';
import { authorityConfigSchema } from '../config/authority-config';
import type { AuthorityEvents } from '../events/authority-events';
import type { PasswordHasher } from '../users/password-hasher';
import type { UserRepository, UserWithRoles } from '../users/user.repository';
import { OAuthError } from './oauth-error';
import type { AccessTokenGrant, TokenIssuer } from './token-issuer';
import { TokenGrantsService } from './token-grants.service';

/** Use-case level: every port faked, no HTTP, no database. */
function setup(overrides: Record<string, unknown> = {}) {
  const config = authorityConfigSchema.parse({
    httpPort: 0,
    databaseUrl: 'postgres://unused@127.0.0.1/unused',
    authorityMaxFailuresPerPrincipal: 2,
    ...overrides,
  });
  const clients = new Map<string, AuthenticatingClient>([
    [
      'ci',
      {
        clientId: 'ci',
        tenantId: 'acme',
        secretSha256: hashClientSecret('s3cret'),
        allowedScopes: ['release:read', 'release:write'],
        disabled: false,
      },
    ],
    [
      'off',
      {
        clientId: 'off',
        tenantId: 'acme',
        secretSha256: hashClientSecret('s3cret'),
        allowedScopes: ['release:read'],
        disabled: true,
      },
    ],
  ]);
  const users = new Map<string, UserWithRoles>([
    [
      'default/ada',
      {
        user: {
          id: 'usr_ada',
          tenantId: 'default',
          username: 'ada',
          passwordHash: 'hash:pw',
          disabled: false,
          createdAt: new Date(),
          updatedAt: new Date(),
        },
        roles: ['viewer'],
      },
    ],
  ]);
  const issued: AccessTokenGrant[] = [];
  const audited: Array<Record<string, unknown>> = [];
  const calls = { dummyVerifications: 0 };
  const manager = {};
  const service = new TokenGrantsService(
    config,
    { error: () => undefined } as unknown as Logger,
    { now: () => 1_000_000 },
    { transaction: (work: (m: unknown) => Promise<unknown>) => work(manager) } as unknown as DataSource,
    { findForAuthentication: async (id: string) => clients.get(id) ?? null } as unknown as ClientRepository,
    {
      findForLogin: async (tenant: string, username: string) => users.get(`${tenant}/${username}`) ?? null,
    } as unknown as UserRepository,
    {
      verify: async (hash: string, password: string) => hash === `hash:${password}`,
      verifyAgainstDummy: async () => {
        calls.dummyVerifications += 1;
        return false;
      },
    } as unknown as PasswordHasher,
    {
      issue: async (grant: AccessTokenGrant) => {
        issued.push(grant);
        return { accessToken: 'jwt', expiresIn: 600, scope: [...grant.scopes].sort().join(' ') };
      },
    } as unknown as TokenIssuer,
    {
      record: async (_m: unknown, _type: string, data: Record<string, unknown>) => void audited.push(data),
    } as unknown as AuthorityEvents,
  );
  return { service, issued, audited, calls };
}

async function oauthError(
  promise: Promise<unknown>,
): Promise<{ status: number; error: string; headers: Record<string, string> }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OAuthError)
      return { status: error.status, error: error.error, headers: error.headers };
    throw error;
  }
  throw new Error('expected an OAuth error');
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('TokenGrantsService', () => {
  it('issues a client token with the requested subset of scopes', async () => {
    const { service, issued } = setup();
    const result = await service.exchange({
      body: { grant_type: 'client_credentials', scope: 'release:read' },
      authorization: basic('ci', 's3cret'),
      remoteAddress: '::ffff:10.0.0.1',
    });
    expect(result.scope).toBe('release:read');
    expect(issued[0]).toEqual({
      subject: 'ci',
      clientId: 'ci',
      tenant: 'acme',
      scopes: ['release:read'],
      audience: 'stella',
    });
  });

  it('answers unknown, wrong and disabled clients alike and audits the real reason', async () => {
    const { service, audited } = setup();
    const attempts = [basic('nobody', 's3cret'), basic('ci', 'wrong'), basic('off', 's3cret')];
    for (const authorization of attempts) {
      const error = await oauthError(
        service.exchange({
          body: { grant_type: 'client_credentials' },
          authorization,
          remoteAddress: '10.0.0.2',
        }),
      );
      expect(error).toMatchObject({ status: 401, error: 'invalid_client' });
      expect(error.headers['WWW-Authenticate']).toMatch(/^Basic/);
    }
    expect(audited.map((e) => e.reason)).toEqual([
      'unknown_principal',
      'invalid_credentials',
      'principal_disabled',
    ]);
    expect(audited[0]).toMatchObject({
      tenantId: 'default',
      principal: { type: 'client', id: 'nobody' },
      remoteAddress: '10.0.0.2',
    });
    expect(audited[1]).toMatchObject({ tenantId: 'acme' });
  });

  it('locks a client out after its allowance, with Retry-After, and audits the lock once', async () => {
    const { service, audited } = setup();
    const attempt = (secret: string) =>
      service.exchange({
        body: { grant_type: 'client_credentials' },
        authorization: basic('ci', secret),
        remoteAddress: '10.0.0.3',
      });
    await oauthError(attempt('wrong'));
    await oauthError(attempt('wrong'));
    const locked = await oauthError(attempt('s3cret'));
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['Retry-After'])).toBe(300);
    expect(audited.filter((e) => e.reason === 'locked_out')).toHaveLength(1);
  });

  it('verifies against a dummy hash for unknown users, and answers invalid_grant', async () => {
    const { service, calls } = setup();
    const unknown = await oauthError(
      service.exchange({
        body: { grant_type: 'password', username: 'bob', password: 'x' },
        authorization: undefined,
        remoteAddress: undefined,
      }),
    );
    const wrong = await oauthError(
      service.exchange({
        body: { grant_type: 'password', username: 'ada', password: 'x' },
        authorization: undefined,
        remoteAddress: undefined,
      }),
    );
    expect(unknown).toEqual(wrong);
    expect(unknown).toMatchObject({ status: 400, error: 'invalid_grant' });
    expect(calls.dummyVerifications).toBe(1);
  });

  it('derives user scopes from roles and carries the roles', async () => {
    const { service, issued } = setup();
    await service.exchange({
      body: { grant_type: 'password', username: 'ada', password: 'pw' },
      authorization: undefined,
      remoteAddress: undefined,
    });
    expect(issued[0]).toMatchObject({
      subject: 'usr_ada',
      clientId: 'stella-cli',
      tenant: 'default',
      roles: ['viewer'],
    });
    expect(issued[0]?.scopes.every((scope) => scope.endsWith(':read'))).toBe(true);
    const tooMuch = await oauthError(
      service.exchange({
        body: { grant_type: 'password', username: 'ada', password: 'pw', scope: 'release:write' },
        authorization: undefined,
        remoteAddress: undefined,
      }),
    );
    expect(tooMuch.error).toBe('invalid_scope');
  });

  it('refuses malformed requests before touching any port', async () => {
    const { service, audited } = setup();
    const cases: Array<[unknown, string]> = [
      [undefined, 'invalid_request'],
      [[1, 2], 'invalid_request'],
      [{ scope: 'x' }, 'invalid_request'],
      [{ grant_type: 'refresh_token', refresh_token: 'r' }, 'unsupported_grant_type'],
      [{ grant_type: 'password', username: ['a', 'b'], password: 'x' }, 'invalid_request'],
      [{ grant_type: 'client_credentials', scope: 'bad"scope' }, 'invalid_request'],
    ];
    for (const [body, expected] of cases) {
      expect(
        (await oauthError(service.exchange({ body, authorization: undefined, remoteAddress: undefined })))
          .error,
      ).toBe(expected);
    }
    expect(audited).toHaveLength(0);
  });
});
