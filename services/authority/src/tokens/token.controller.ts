import { Body, Controller, Headers, HttpCode, Ip, Post, Res, UseFilters } from '@nestjs/common';
import { Public } from '@stella/auth';
import { OAuthErrorFilter } from './oauth-error';
import { TokenGrantsService } from './token-grants.service';

interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** RFC 6749 token endpoint; errors are OAuth error JSON (§5.2), not problem+json. */
@Controller('oauth')
@Public()
@UseFilters(OAuthErrorFilter)
export class TokenController {
  constructor(private readonly grants: TokenGrantsService) {}

  @Post('token')
  @HttpCode(200)
  async token(
    @Body() body: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Ip() remoteAddress: string | undefined,
    @Res({ passthrough: true }) res: { setHeader(name: string, value: string): unknown },
  ): Promise<TokenResponse> {
    const issued = await this.grants.exchange({ body, authorization, remoteAddress });
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    return {
      access_token: issued.accessToken,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      scope: issued.scope,
    };
  }
}
