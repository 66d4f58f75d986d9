import { createAuditPackSchema } from './create-audit-pack.usecase';

describe('POST /api/v1/audit-packs body', () => {
  it('accepts an environment and an RFC 3339 range, normalised to instants', () => {
    const parsed = createAuditPackSchema.parse({ environment: 'prod', from: '2030-01-01T00:00:00+01:00', to: '2030-02-01T00:00:00Z' });
    expect(parsed.from.toISOString()).toBe('2029-12-31T23:00:00.000Z');
  });

  it.each([
    ['an empty range', { environment: 'prod', from: '2030-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' }],
    ['a reversed range', { environment: 'prod', from: '2030-02-01T00:00:00Z', to: '2030-01-01T00:00:00Z' }],
    ['a bad environment', { environment: '../prod', from: '2030-01-01T00:00:00Z', to: '2030-02-01T00:00:00Z' }],
    ['a date without time', { environment: 'prod', from: '2030-01-01', to: '2030-02-01T00:00:00Z' }],
    ['an unknown field', { environment: 'prod', from: '2030-01-01T00:00:00Z', to: '2030-02-01T00:00:00Z', tenant: 'other' }],
  ])('refuses %s', (_label, body) => {
    expect(createAuditPackSchema.safeParse(body).success).toBe(false);
  });
});
