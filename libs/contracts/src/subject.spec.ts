import { ContractError } from './errors';
import { eventSubject } from './subject';

describe('eventSubject', () => {
  it('replaces the leading stella with the prefix', () => {
    expect(eventSubject('stella.authority.client.created', 'prod')).toBe('prod.authority.client.created');
    expect(eventSubject('stella.authority.client.created', 'stella')).toBe('stella.authority.client.created');
  });

  it.each(['', 'Prod', 'a.b', 'a*', 'a>'])('refuses prefix %j', (prefix) => {
    expect(() => eventSubject('stella.authority.client.created', prefix)).toThrow(ContractError);
  });

  it('refuses types that are not Stella event types', () => {
    expect(() => eventSubject('other.authority.client.created', 'p')).toThrow(ContractError);
    expect(() => eventSubject('stella.authority', 'p')).toThrow(ContractError);
  });
});
