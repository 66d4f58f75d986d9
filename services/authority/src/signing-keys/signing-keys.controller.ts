import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { AuthGuard, CurrentPrincipal, Scopes, type Principal } from '@stella/auth';
import { actorOf } from '../common/actor';
import { SigningKeysService } from './signing-keys.service';

interface SigningKeyView {
  kid: string;
  algorithm: string;
  state: string;
  createdAt: string;
  rotatedAt?: string;
  retireAfter?: string;
  retiredAt?: string;
}

/** Token signing keys are platform-wide: operators only (scope authority:keys). */
@Controller('api/v1/signing-keys')
@UseGuards(AuthGuard)
@Scopes('authority:keys')
export class SigningKeysController {
  constructor(private readonly keys: SigningKeysService) {}

  @Get()
  async list(): Promise<{ items: SigningKeyView[] }> {
    const keys = await this.keys.listKeys();
    return {
      items: keys.map((key) => ({
        kid: key.kid,
        algorithm: key.algorithm,
        state: key.state,
        createdAt: key.createdAt.toISOString(),
        ...(key.rotatedAt ? { rotatedAt: key.rotatedAt.toISOString() } : {}),
        ...(key.retireAfter ? { retireAfter: key.retireAfter.toISOString() } : {}),
        ...(key.retiredAt ? { retiredAt: key.retiredAt.toISOString() } : {}),
      })),
    };
  }

  /** The new key signs from now on; the old one stays in the JWKS until its last token expired. */
  @Post('rotate')
  @HttpCode(200)
  async rotate(
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ kid: string; previousKid?: string; previousRetireAfter?: string }> {
    const result = await this.keys.rotate(actorOf(principal));
    return {
      kid: result.kid,
      ...(result.previousKid ? { previousKid: result.previousKid } : {}),
      ...(result.previousRetireAfter
        ? { previousRetireAfter: result.previousRetireAfter.toISOString() }
        : {}),
    };
  }
}
