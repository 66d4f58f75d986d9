import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { loadCliConfig } from '../cli-config';
import { createOutput } from '../output';
import { requestToken, TokenRequest } from '../session/authority-client';
import { CredentialsStore } from '../session/credentials-store';
import { readFleetFile, serviceUrl } from '../session/fleet-file';
import { readSecretFromStdin, promptHidden } from './prompt';

export const DEFAULT_AUTHORITY_URL = 'http://127.0.0.1:7401';

export async function resolveAuthorityUrl(flag: string | undefined): Promise<string> {
  const config = loadCliConfig();
  return (
    flag ??
    config.authorityUrl ??
    serviceUrl(await readFleetFile(config.fleetFile), 'authority') ??
    DEFAULT_AUTHORITY_URL
  );
}

export function loginCommand(): Command {
  return new Command('login')
    .description(
      'get an access token from the authority (client credentials for CI, or a user login) and cache it (0600)',
    )
    .option(
      '--authority <url>',
      'authority base URL (default: STELLA_AUTHORITY_URL, the quickstart fleet, or http://127.0.0.1:7401)',
    )
    .option('--client-id <id>', 'OAuth client id (or STELLA_CLIENT_ID)')
    .option(
      '--client-secret-file <path>',
      'file holding the client secret (or STELLA_CLIENT_SECRET / STELLA_CLIENT_SECRET_FILE)',
    )
    .option('--username <name>', 'console user name (password from --password-stdin or a prompt)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--tenant <tenant>', 'tenant of the user (default: the authority decides)')
    .option('--scope <scopes>', 'space-separated scopes to request (default: all the client may have)')
    .option('--json', 'machine-readable output')
    .action(async (opts: LoginOptions) => {
      const out = createOutput(Boolean(opts.json));
      const config = loadCliConfig();
      const authorityUrl = await resolveAuthorityUrl(opts.authority);
      const request = await buildRequest(opts, config.clientId, config.clientSecret);
      const token = await requestToken(authorityUrl, request);
      const expiresAt = new Date(Date.now() + token.expires_in * 1000).toISOString();
      const principal = request.grant === 'client_credentials' ? request.clientId : request.username;
      const store = new CredentialsStore(config.home);
      await store.save({
        authorityUrl,
        accessToken: token.access_token,
        tokenType: 'Bearer',
        scope: token.scope,
        expiresAt,
        grant: request.grant,
        principal,
      });
      out.result(
        `Logged in to ${authorityUrl} as ${principal}; token valid until ${expiresAt}, cached in ${store.path}`,
        {
          authorityUrl,
          principal,
          scope: token.scope.split(' ').filter(Boolean),
          expiresAt,
          credentialsFile: store.path,
        },
      );
    });
}

interface LoginOptions {
  authority?: string;
  clientId?: string;
  clientSecretFile?: string;
  username?: string;
  passwordStdin?: boolean;
  tenant?: string;
  scope?: string;
  json?: boolean;
}

async function buildRequest(
  opts: LoginOptions,
  envClientId?: string,
  envClientSecret?: string,
): Promise<TokenRequest> {
  if (opts.username) {
    const password = opts.passwordStdin
      ? await readSecretFromStdin()
      : await promptHidden(`Password for ${opts.username}: `);
    if (!password) throw new Error('no password given');
    return { grant: 'password', username: opts.username, password, tenant: opts.tenant, scope: opts.scope };
  }
  const clientId = opts.clientId ?? envClientId;
  if (!clientId)
    throw new Error(
      'give --client-id (or STELLA_CLIENT_ID) for a client login, or --username for a user login',
    );
  const clientSecret = opts.clientSecretFile
    ? (await readFile(opts.clientSecretFile, 'utf8')).trim()
    : envClientSecret;
  if (!clientSecret)
    throw new Error('give --client-secret-file (or STELLA_CLIENT_SECRET / STELLA_CLIENT_SECRET_FILE)');
  return { grant: 'client_credentials', clientId, clientSecret, scope: opts.scope };
}
