import { z } from 'zod';
import { buildEvent, decodeEvent, encodeEvent, parseEvent } from './build-event';
import { ContractError } from './errors';
import { listEventDefinitions } from './events/catalogue';

const actor = { type: 'user', id: 'u-1' } as const;

function clientCreated() {
  return buildEvent('stella.authority.client.created', {
    source: '/stella/authority',
    tenant: 'acme',
    subject: 'client-7',
    time: new Date('2026-03-01T10:11:12.345Z'),
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    data: {
      tenantId: 'acme',
      clientId: 'client-7',
      name: 'ci',
      grantTypes: ['client_credentials'],
      scopes: ['release:read'],
      actor,
    },
  });
}

function errorOf(fn: () => unknown): ContractError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ContractError) return error;
    throw error;
  }
  throw new Error('expected a ContractError');
}

describe('buildEvent', () => {
  it('builds a CloudEvents 1.0 envelope with dataschema, time and a UUIDv7 id', () => {
    const event = clientCreated();
    expect(event).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      source: '/stella/authority',
      type: 'stella.authority.client.created',
      subject: 'client-7',
      time: '2026-03-01T10:11:12.345Z',
      tenant: 'acme',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      datacontenttype: 'application/json',
      dataschema: 'urn:stella:event:stella.authority.client.created:v1',
      data: {
        tenantId: 'acme',
        clientId: 'client-7',
        name: 'ci',
        grantTypes: ['client_credentials'],
        scopes: ['release:read'],
        actor,
      },
    });
  });

  it('omits optional attributes that were not given', () => {
    const event = buildEvent('stella.authority.tenant.created', {
      source: '/stella/authority',
      tenant: 'acme',
      data: { tenantId: 'acme', name: 'Acme', actor: { type: 'system', id: 'bootstrap' } },
    });
    expect(Object.keys(event)).not.toContain('subject');
    expect(Object.keys(event)).not.toContain('traceparent');
    expect(event.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('rejects data that does not match the schema, naming the field', () => {
    const error = errorOf(() =>
      buildEvent('stella.authority.user.updated', {
        source: '/stella/authority',
        tenant: 'acme',
        // @ts-expect-error changedFields must be a string array: the catalogue types data.
        data: { tenantId: 'acme', userId: 'u-2', changedFields: 'email', actor },
      }),
    );
    expect(error.code).toBe('INVALID_EVENT_DATA');
    expect(error.issues.map((issue) => issue.path)).toContain('changedFields');
  });

  it('refuses extra data fields (strict schemas keep secrets out)', () => {
    const error = errorOf(() =>
      buildEvent('stella.authority.client.secret_rotated', {
        source: '/stella/authority',
        tenant: 'acme',
        // @ts-expect-error secret is not part of the event.
        data: { tenantId: 'acme', clientId: 'c', secretVersion: 2, actor, secret: 's3cr3t' },
      }),
    );
    expect(error.code).toBe('INVALID_EVENT_DATA');
  });

  it('rejects an invalid envelope attribute', () => {
    const error = errorOf(() =>
      buildEvent('stella.authority.tenant.created', {
        source: '/stella/authority',
        tenant: 'has space',
        data: { tenantId: 'acme', name: 'Acme', actor },
      }),
    );
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.issues[0]?.path).toBe('tenant');
  });

  it('rejects unknown types at run time too', () => {
    const error = errorOf(() =>
      // @ts-expect-error not in the catalogue
      buildEvent('stella.authority.nothing.happened', { source: '/x', tenant: 'acme', data: {} }),
    );
    expect(error.code).toBe('UNKNOWN_EVENT_TYPE');
  });
});

describe('parseEvent', () => {
  it('round-trips through the structured-mode JSON encoding', () => {
    const event = clientCreated();
    const parsed = decodeEvent(Buffer.from(encodeEvent(event)));
    expect(parsed).toEqual(event);
    if (parsed.type === 'stella.authority.client.created') {
      expect(parsed.data.clientId).toBe('client-7');
    }
  });

  it('names unknown types with a typed error', () => {
    const json = {
      ...clientCreated(),
      type: 'stella.billing.invoice.paid',
      dataschema: 'urn:stella:event:stella.billing.invoice.paid:v1',
    };
    expect(errorOf(() => parseEvent(json)).code).toBe('UNKNOWN_EVENT_TYPE');
  });

  it('refuses a version the catalogue does not hold', () => {
    const json = { ...clientCreated(), dataschema: 'urn:stella:event:stella.authority.client.created:v9' };
    expect(errorOf(() => parseEvent(json)).code).toBe('UNSUPPORTED_EVENT_VERSION');
  });

  it('refuses a dataschema naming another type', () => {
    const json = { ...clientCreated(), dataschema: 'urn:stella:event:stella.authority.user.created:v1' };
    expect(errorOf(() => parseEvent(json)).code).toBe('INVALID_ENVELOPE');
  });

  it('validates data against the catalogue schema', () => {
    const event = clientCreated();
    const json = { ...event, data: { ...event.data, grantTypes: [] } };
    const error = errorOf(() => parseEvent(json));
    expect(error.code).toBe('INVALID_EVENT_DATA');
    expect(error.issues[0]?.path).toBe('grantTypes');
  });

  it.each([
    ['time without milliseconds', { time: '2026-03-01T10:11:12Z' }],
    ['time with an offset', { time: '2026-03-01T10:11:12.345+01:00' }],
    ['impossible date', { time: '2026-02-30T10:11:12.345Z' }],
    ['wrong specversion', { specversion: '0.3' }],
    ['unknown attribute', { comexampleextension: 'x' }],
    ['bad traceparent', { traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01' }],
  ])('rejects an envelope with %s', (_label, patch) => {
    expect(errorOf(() => parseEvent({ ...clientCreated(), ...patch })).code).toBe('INVALID_ENVELOPE');
  });

  it('rejects non-JSON bodies with INVALID_EVENT_JSON', () => {
    const error = errorOf(() => decodeEvent('{not json'));
    expect(error.code).toBe('INVALID_EVENT_JSON');
    expect(error.toJSON()).toMatchObject({ code: 'INVALID_EVENT_JSON' });
  });
});

describe('event catalogue', () => {
  it('registers every authority event once, with type/subject-safe names and version 1', () => {
    const types = listEventDefinitions().map((definition) => `${definition.type}@v${definition.version}`);
    expect(new Set(types).size).toBe(types.length);
    expect(types).toEqual(
      expect.arrayContaining([
        'stella.authority.tenant.created@v1',
        'stella.authority.client.created@v1',
        'stella.authority.client.updated@v1',
        'stella.authority.client.disabled@v1',
        'stella.authority.client.secret_rotated@v1',
        'stella.authority.user.created@v1',
        'stella.authority.user.updated@v1',
        'stella.authority.user.disabled@v1',
        'stella.authority.role.assigned@v1',
        'stella.authority.signing_key.rotated@v1',
        'stella.authority.login.failed@v1',
      ]),
    );
  });

  it('keeps secrets out of every schema', () => {
    for (const definition of listEventDefinitions()) {
      const jsonSchema = JSON.stringify(z.toJSONSchema(definition.schema));
      expect(jsonSchema).toContain('"properties"');
      expect(jsonSchema).not.toMatch(/"(secret|password|privateKey|token|clientSecret)"/i);
    }
  });
});
