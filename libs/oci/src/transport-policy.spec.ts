import { isOciError } from './errors';
import { TransportPolicy, hostnameOf, isLoopbackHost } from './transport-policy';

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true],
    ['registry.localhost', true],
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['[::1]', true],
    ['128.0.0.1', false],
    ['10.0.0.5', false],
    ['localhost.example.com', false],
    ['[2001:db8::1]', false],
    ['registry.example.com', false],
  ])('%s -> %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('TransportPolicy', () => {
  const policy = new TransportPolicy(['mirror.internal:5000', 'lab-registry'], true);

  it('uses HTTPS except for loopback and insecure hosts', () => {
    expect(policy.baseUrl('registry-1.docker.io')).toBe('https://registry-1.docker.io');
    expect(policy.baseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(policy.baseUrl('[::1]:5000')).toBe('http://[::1]:5000');
    expect(policy.baseUrl('mirror.internal:5000')).toBe('http://mirror.internal:5000');
    expect(policy.baseUrl('mirror.internal:6000')).toBe('https://mirror.internal:6000');
    expect(policy.baseUrl('lab-registry:443')).toBe('http://lab-registry:443');
    expect(new TransportPolicy([], false).baseUrl('127.0.0.1:5000')).toBe('https://127.0.0.1:5000');
  });

  it('refuses plain HTTP to a non-loopback host without an insecure allowance', () => {
    let error: unknown;
    try {
      policy.assertAllowed('http://registry.example.com/v2/');
    } catch (caught) {
      error = caught;
    }
    expect(isOciError(error, 'INSECURE_TRANSPORT_REFUSED')).toBe(true);
    expect((error as { details: { host: string } }).details.host).toBe('registry.example.com');
    expect(() => policy.assertAllowed('ftp://registry.example.com/')).toThrow(/refusing ftp/);
  });

  it('allows HTTPS anywhere and HTTP on loopback or allowed hosts', () => {
    expect(policy.assertAllowed('https://registry.example.com/v2/').host).toBe('registry.example.com');
    expect(policy.assertAllowed('http://127.0.0.1:5000/v2/').host).toBe('127.0.0.1:5000');
    expect(policy.assertAllowed('http://mirror.internal:5000/v2/').host).toBe('mirror.internal:5000');
    expect(policy.assertAllowed('http://lab-registry:8080/token').host).toBe('lab-registry:8080');
  });

  it('extracts host names with ports and brackets', () => {
    expect(hostnameOf('Example.COM:5000')).toBe('example.com');
    expect(hostnameOf('[::1]:5000')).toBe('[::1]');
  });
});
