import {
  Catch,
  Controller,
  Get,
  HttpException,
  UseGuards,
  type ArgumentsHost,
  type ExceptionFilter,
  type INestApplication,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ProblemError } from '@stella/platform';
import request from 'supertest';
import type { Principal } from '../principal';
import { createLocalTokenVerifier } from '../token-verifier';
import {
  AUDIENCE,
  FakeClock,
  generateTestKey,
  ISSUER,
  signAccessToken,
  type TestSigningKey,
} from '../token.fixture';
import { AuthGuard } from './auth.guard';
import { AuthModule } from './auth.module';
import { AnyScope, CurrentPrincipal, Public, Scopes, TenantId } from './decorators';

@Controller()
@UseGuards(AuthGuard)
@Scopes('release:read')
class ReleasesController {
  @Get('tenants/:tenant/releases')
  list(@TenantId() tenant: string, @CurrentPrincipal() principal: Principal) {
    return { tenant, subject: principal.subject };
  }

  @Get('releases/promote')
  @Scopes('release:write', 'release:promote')
  promote(@CurrentPrincipal() principal: Principal) {
    return { subject: principal.subject };
  }

  @Get('releases/audit')
  @AnyScope('audit:read', 'audit:admin')
  audit(@CurrentPrincipal() principal: Principal) {
    return { subject: principal.subject };
  }

  @Get('status')
  @Public()
  status() {
    return { up: true };
  }
}

/** Renders ProblemError the way the platform filter does (status, headers, body). */
@Catch(HttpException)
class ProblemTestFilter implements ExceptionFilter {
  catch(error: HttpException, host: ArgumentsHost): void {
    const res = host
      .switchToHttp()
      .getResponse<{ status(n: number): { set(h: Record<string, string>): { json(b: unknown): void } } }>();
    const headers = error instanceof ProblemError ? error.headers : {};
    res.status(error.getStatus()).set(headers).json(error.getResponse());
  }
}

describe('AuthGuard', () => {
  let app: INestApplication;
  let key: TestSigningKey;

  beforeAll(async () => {
    key = generateTestKey('k1');
    const verifier = createLocalTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      getKeys: () => [key.publicJwk],
      clock: new FakeClock(),
    });
    const moduleRef = await Test.createTestingModule({
      imports: [AuthModule.forRoot({ verifier })],
      controllers: [ReleasesController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalFilters(new ProblemTestFilter());
    await app.init();
  });

  afterAll(async () => {
    await app.close();
  });

  const token = (claims: Record<string, unknown> = {}) => signAccessToken({ key, claims });

  it('lets a valid token with the scope through and exposes principal and tenant', async () => {
    const res = await request(app.getHttpServer())
      .get('/tenants/acme/releases')
      .set('Authorization', `Bearer ${await token()}`)
      .expect(200);
    expect(res.body).toEqual({ tenant: 'acme', subject: 'ci-pipeline' });
  });

  it('answers 401 with a bare challenge when no token is sent', async () => {
    const res = await request(app.getHttpServer()).get('/tenants/acme/releases').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="stella"');
    expect(res.body).toMatchObject({
      code: 'TOKEN_MISSING',
      status: 401,
      type: 'urn:stella:problem:token-missing',
    });
  });

  it('answers 401 invalid_token for a bad token or a non-Bearer header', async () => {
    const bad = await request(app.getHttpServer())
      .get('/tenants/acme/releases')
      .set('Authorization', 'Bearer abc.def.ghi')
      .expect(401);
    expect(bad.headers['www-authenticate']).toMatch(/^Bearer realm="stella", error="invalid_token"/);
    expect(bad.body.code).toBe('TOKEN_MALFORMED');
    const basic = await request(app.getHttpServer())
      .get('/tenants/acme/releases')
      .set('Authorization', 'Basic Zm9vOmJhcg==')
      .expect(401);
    expect(basic.body.code).toBe('TOKEN_MALFORMED');
  });

  it('answers 401 for an expired token', async () => {
    const res = await request(app.getHttpServer())
      .get('/tenants/acme/releases')
      .set('Authorization', `Bearer ${await token({ exp: Date.UTC(2029, 0, 1) / 1000 })}`)
      .expect(401);
    expect(res.body.code).toBe('TOKEN_EXPIRED');
  });

  it('answers 403 for a token of another tenant', async () => {
    const res = await request(app.getHttpServer())
      .get('/tenants/globex/releases')
      .set('Authorization', `Bearer ${await token()}`)
      .expect(403);
    expect(res.body).toMatchObject({ code: 'WRONG_TENANT', type: 'urn:stella:problem:wrong-tenant' });
  });

  it('requires class and method scopes together, answering 403 insufficient_scope', async () => {
    const res = await request(app.getHttpServer())
      .get('/releases/promote')
      .set('Authorization', `Bearer ${await token({ scope: 'release:read release:write' })}`)
      .expect(403);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="stella", error="insufficient_scope", scope="release:promote"',
    );
    expect(res.body).toMatchObject({ code: 'INSUFFICIENT_SCOPE', missingScopes: ['release:promote'] });
    await request(app.getHttpServer())
      .get('/releases/promote')
      .set('Authorization', `Bearer ${await token({ scope: 'release:read release:write release:promote' })}`)
      .expect(200);
    const noClassScope = await request(app.getHttpServer())
      .get('/releases/promote')
      .set('Authorization', `Bearer ${await token({ scope: 'release:write release:promote' })}`)
      .expect(403);
    expect(noClassScope.body.missingScopes).toEqual(['release:read']);
  });

  it('accepts any one of the @AnyScope() scopes', async () => {
    for (const scope of ['release:read audit:read', 'release:read audit:admin']) {
      await request(app.getHttpServer())
        .get('/releases/audit')
        .set('Authorization', `Bearer ${await token({ scope, jti: scope })}`)
        .expect(200);
    }
    const res = await request(app.getHttpServer())
      .get('/releases/audit')
      .set('Authorization', `Bearer ${await token({ scope: 'release:read' })}`)
      .expect(403);
    expect(res.body.missingScopes).toEqual(['audit:read', 'audit:admin']);
  });

  it('lets @Public() routes through without a token', async () => {
    await request(app.getHttpServer()).get('/status').expect(200, { up: true });
  });
});
