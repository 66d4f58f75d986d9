import { OrchestratorError } from '../common/errors';
import { IntakeAuthenticator } from './intake-authenticator';

describe('IntakeAuthenticator', () => {
  const auth = new IntakeAuthenticator({ acme: 'acme-secret-0123456789abcdef', globex: 'globex-secret-0123456789abcdef' });

  it('selects the tenant by its shared secret', () => {
    expect(auth.authenticate('Bearer acme-secret-0123456789abcdef')).toBe('acme');
    expect(auth.authenticate('bearer globex-secret-0123456789abcdef')).toBe('globex');
  });

  it.each([undefined, '', 'Bearer', 'Bearer wrong', 'Basic YWNtZTpzZWNyZXQ=', 'Bearer acme-secret-0123456789abcdeF'])('refuses %p', (header) => {
    expect(() => auth.authenticate(header)).toThrow(OrchestratorError);
  });

  it('refuses everything when no secret is configured', () => {
    expect(() => new IntakeAuthenticator({}).authenticate('Bearer ')).toThrow(/shared secret/);
  });
});
