import { presentedClientCredentials } from './client-authentication';
import { OAuthError } from './oauth-error';

const basic = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;

describe('presentedClientCredentials', () => {
  it('reads HTTP Basic, form-decoding id and secret (RFC 6749 §2.3.1)', () => {
    expect(presentedClientCredentials(basic('svc%3Ascanner:p%40ss+word'), {})).toEqual({
      clientId: 'svc:scanner',
      clientSecret: 'p@ss word',
      viaBasic: true,
    });
  });

  it('reads body credentials', () => {
    expect(presentedClientCredentials(undefined, { client_id: 'a', client_secret: 'b' })).toEqual({
      clientId: 'a',
      clientSecret: 'b',
      viaBasic: false,
    });
    expect(presentedClientCredentials(undefined, { client_id: 'a' })).toBeUndefined();
  });

  it('refuses two methods, other schemes and malformed Basic', () => {
    const attempt = (auth: string | undefined, body: { client_id?: string; client_secret?: string }) => {
      try {
        presentedClientCredentials(auth, body);
        return 'accepted';
      } catch (error) {
        return (error as OAuthError).error;
      }
    };
    expect(attempt(basic('a:b'), { client_secret: 'b' })).toBe('invalid_request');
    expect(attempt(basic('a:b'), { client_id: 'other' })).toBe('invalid_request');
    expect(attempt('Bearer xyz', {})).toBe('invalid_client');
    expect(attempt(basic('no-colon'), {})).toBe('invalid_client');
    expect(attempt(basic('%E0%A4%A:x'), {})).toBe('invalid_client');
  });
});
