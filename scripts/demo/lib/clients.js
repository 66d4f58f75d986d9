'use strict';
/**
 * The few clients the golden path needs, written as a CI system would write them: plain HTTP
 * with bearer tokens (problem+json errors surfaced as they are), OAuth 2.0 token requests to the
 * authority, and a gRPC client of the orchestrator loaded from the .proto alone.
 */
const { join } = require('node:path');
const { randomBytes } = require('node:crypto');
const { URLSearchParams } = require('node:url');

const root = join(__dirname, '..', '..', '..');

class ApiError extends Error {
  constructor(method, url, status, body) {
    const detail =
      body && typeof body === 'object'
        ? body.detail || body.title || body.error_description || body.error || JSON.stringify(body)
        : String(body ?? '');
    super(`${method} ${url} -> ${status}${body && body.code ? ` ${body.code}` : ''}: ${detail}`);
    this.status = status;
    this.body = body;
  }
}

/** fetch + JSON; throws ApiError for any non-2xx answer (its problem+json body attached). */
async function api(method, url, { token, body, headers = {}, form, timeoutMs = 120_000, accept } = {}) {
  const init = { method, headers: { ...headers }, signal: AbortSignal.timeout(timeoutMs) };
  if (token) init.headers.authorization = `Bearer ${token}`;
  if (accept) init.headers.accept = accept;
  if (form) {
    init.headers['content-type'] = 'application/x-www-form-urlencoded';
    init.body = new URLSearchParams(form).toString();
  } else if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  if (res.status < 200 || res.status > 299) throw new ApiError(method, url, res.status, parsed);
  return parsed;
}

/** OAuth 2.0 client_credentials (HTTP Basic, RFC 6749 §2.3.1). */
async function clientToken(authorityUrl, clientId, clientSecret, scope) {
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString(
    'base64',
  );
  const answer = await api('POST', `${authorityUrl}/oauth/token`, {
    headers: { authorization: `Basic ${basic}` },
    form: { grant_type: 'client_credentials', ...(scope ? { scope } : {}) },
  });
  return answer.access_token;
}

/** OAuth 2.0 password grant for a person, through the first-party public client. */
async function userToken(authorityUrl, username, password, clientId = 'stella-cli') {
  const answer = await api('POST', `${authorityUrl}/oauth/token`, {
    form: { grant_type: 'password', username, password, client_id: clientId },
  });
  return answer.access_token;
}

function randomPassword() {
  return `demo-${randomBytes(18).toString('base64url')}`;
}

/** Creates the user, or (on a re-run) resets its password and roles; answers a fresh password. */
async function ensureUser(authorityUrl, adminToken, tenant, username, roles) {
  const base = `${authorityUrl}/api/v1/tenants/${tenant}/users`;
  const password = randomPassword();
  try {
    const created = await api('POST', base, { token: adminToken, body: { username, password, roles } });
    return { id: created.id, username, password, roles };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 409) throw error;
  }
  const { items } = await api('GET', base, { token: adminToken });
  const user = items.find((u) => u.username === username);
  if (!user) throw new Error(`user ${username} exists (409) but is not listed`);
  await api('PUT', `${base}/${user.id}/password`, { token: adminToken, body: { password } });
  if (user.disabled) await api('POST', `${base}/${user.id}/enable`, { token: adminToken, body: {} });
  for (const role of roles) await api('PUT', `${base}/${user.id}/roles/${role}`, { token: adminToken });
  return { id: user.id, username, password, roles };
}

/** Creates the confidential client, or (on a re-run) updates its scopes and rotates its secret. */
async function ensureClient(authorityUrl, adminToken, tenant, clientId, allowedScopes) {
  const base = `${authorityUrl}/api/v1/tenants/${tenant}/clients`;
  try {
    const created = await api('POST', base, {
      token: adminToken,
      body: { clientId, name: clientId, allowedScopes },
    });
    return { clientId, clientSecret: created.clientSecret };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 409) throw error;
  }
  await api('PATCH', `${base}/${clientId}`, { token: adminToken, body: { allowedScopes } });
  const rotated = await api('POST', `${base}/${clientId}/rotate-secret`, { token: adminToken, body: {} });
  return { clientId, clientSecret: rotated.clientSecret };
}

/** gRPC client of stella.orchestrator.v1.OrchestratorService from proto/ (no generated code). */
function orchestratorGrpc(port, host = '127.0.0.1') {
  const grpc = require('@grpc/grpc-js');
  const protoLoader = require('@grpc/proto-loader');
  const definition = protoLoader.loadSync('stella/orchestrator/v1/orchestrator.proto', {
    includeDirs: [join(root, 'proto')],
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const Service = grpc.loadPackageDefinition(definition).stella.orchestrator.v1.OrchestratorService;
  const client = new Service(`${host}:${port}`, grpc.credentials.createInsecure());
  const meta = (token, extra = {}) => {
    const m = new grpc.Metadata();
    if (token) m.set('authorization', `Bearer ${token}`);
    for (const [k, v] of Object.entries(extra)) m.set(k, v);
    return m;
  };
  const describeError = (error) => {
    const code = error.metadata?.get('stella-error-code')[0];
    const details = error.metadata?.get('stella-error-details-bin')[0];
    error.stellaCode = typeof code === 'string' ? code : undefined;
    error.stellaDetails = Buffer.isBuffer(details) ? JSON.parse(details.toString('utf8')) : {};
    return error;
  };
  return {
    call(method, request, token, metadata) {
      return new Promise((resolve, reject) => {
        client[method](
          request,
          meta(token, metadata),
          { deadline: Date.now() + 120_000 },
          (error, response) => (error ? reject(describeError(error)) : resolve(response)),
        );
      });
    },
    close: () => client.close(),
  };
}

/** Polls `probe` until it answers something truthy. */
async function eventually(probe, { timeoutMs = 60_000, intervalMs = 500, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      if (error.final) throw error;
      last = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`,
  );
}

module.exports = {
  ApiError,
  api,
  clientToken,
  userToken,
  ensureUser,
  ensureClient,
  orchestratorGrpc,
  eventually,
};
