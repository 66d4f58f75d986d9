import { Body, Controller, Get, Header, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { AuthGuard, CurrentPrincipal, Public, Scopes, type Principal } from '@stella/auth';
import { ZodValidationPipe } from '@stella/platform';
import { z } from 'zod';
import { toHttpProblem } from '../common/problems';
import { SIGNER_KEY_RING } from '../common/tokens';
import type { KeyRing } from '../keys/key-ring';
import type { SignerKeyRecord } from '../keys/signer-key';

/** Key management (rotate, revoke). Never rename. */
export const SIGNER_ADMIN_SCOPE = 'signer:admin';

const revokeBodySchema = z.strictObject({ reason: z.string().min(1).max(500) });
type RevokeBody = z.infer<typeof revokeBodySchema>;
const keyIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/);

export interface PublishedKey {
  keyId: string;
  algorithm: string;
  status: string;
  publicKeyPem: string;
  certificatePem: string;
  notBefore: string;
  notAfter: string;
  retiredAt?: string;
  revokedAt?: string;
  revocationReason?: string;
}

function publish(record: SignerKeyRecord): PublishedKey {
  return {
    keyId: record.keyId,
    algorithm: record.algorithm,
    status: record.status,
    publicKeyPem: record.publicKeyPem,
    certificatePem: record.certificatePem,
    notBefore: record.notBefore.toISOString(),
    notAfter: record.notAfter.toISOString(),
    ...(record.retiredAt ? { retiredAt: record.retiredAt.toISOString() } : {}),
    ...(record.revokedAt ? { revokedAt: record.revokedAt.toISOString() } : {}),
    ...(record.revocationReason ? { revocationReason: record.revocationReason } : {}),
  };
}

const actorOf = (principal: Principal) => ({ type: principal.kind, id: principal.subject }) as const;

@Controller('api/v1')
@UseGuards(AuthGuard)
export class KeysController {
  constructor(@Inject(SIGNER_KEY_RING) private readonly keys: KeyRing) {}

  /** The Stella root CA certificate: what operators pin and verifiers chain to. */
  @Get('ca')
  @Public()
  @Header('Content-Type', 'application/x-pem-file')
  ca(): string {
    return this.keys.caCertificatePem();
  }

  /** Every key ever used, with its certificate and validity window, so old signatures stay verifiable. */
  @Get('keys')
  @Public()
  async list(): Promise<{ caCertificatePem: string; keys: PublishedKey[] }> {
    return {
      caCertificatePem: this.keys.caCertificatePem(),
      keys: (await this.keys.listKeys()).map(publish),
    };
  }

  @Post('keys/rotate')
  @HttpCode(200)
  @Scopes(SIGNER_ADMIN_SCOPE)
  async rotate(@CurrentPrincipal() caller: Principal): Promise<PublishedKey> {
    return publish(await this.keys.rotate(actorOf(caller)));
  }

  @Post('keys/:keyId/revoke')
  @HttpCode(200)
  @Scopes(SIGNER_ADMIN_SCOPE)
  async revoke(
    @Param('keyId', new ZodValidationPipe(keyIdSchema)) keyId: string,
    @Body(new ZodValidationPipe(revokeBodySchema)) body: RevokeBody,
    @CurrentPrincipal() caller: Principal,
  ): Promise<PublishedKey> {
    try {
      return publish(await this.keys.revoke(keyId, body.reason, actorOf(caller)));
    } catch (error) {
      throw toHttpProblem(error);
    }
  }
}
