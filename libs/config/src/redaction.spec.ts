import { displayValue, isSecretKey, withoutUrlPassword } from './redaction';

describe('redaction', () => {
  it.each([
    'clientSecret',
    'databasePassword',
    'signingKey',
    'apiToken',
    'objectStoreAccessKey',
    'authorityKek',
    'registryCredentials',
  ])('treats %s as secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each(['databaseUrl', 'tokenAudience', 'httpPort', 'keyring'])('treats %s as not secret', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });

  it('removes the password from connection URLs', () => {
    expect(withoutUrlPassword('postgres://app:hunter2@db:5432/x')).toBe('postgres://app:***@db:5432/x');
    expect(withoutUrlPassword('postgres://app@db/x')).toBe('postgres://app@db/x');
    expect(withoutUrlPassword('http://host/path')).toBe('http://host/path');
    expect(withoutUrlPassword('nats://a:b@h1,nats://c:d@h2')).toBe('nats://a:***@h1,nats://c:***@h2');
  });

  it('displays values quoted, or redacted when secret', () => {
    expect(displayValue('abc', false)).toBe('"abc"');
    expect(displayValue('abc', true)).toBe('(redacted)');
    expect(displayValue(42, false)).toBe('42');
    expect(displayValue({ url: 'nats://u:p@h' }, false)).toBe('{"url":"nats://u:***@h"}');
  });
});
