import { createAuthorityTokenVerifier } from './token-verifier';

describe('createAuthorityTokenVerifier', () => {
  it('refuses to build without an authority, naming the service', () => {
    expect(() => createAuthorityTokenVerifier('orchestrator', { tokenAudience: 'stella' })).toThrow(
      /STELLA_AUTHORITY_URL is required: orchestrator verifies/,
    );
  });

  it('builds a verifier that refuses a malformed token before any network call', async () => {
    const verifier = createAuthorityTokenVerifier('signer', {
      authorityUrl: 'http://127.0.0.1:1/',
      tokenAudience: 'stella',
    });
    await expect(verifier.verify('not-a-jwt')).rejects.toMatchObject({ code: 'TOKEN_MALFORMED' });
  });
});
