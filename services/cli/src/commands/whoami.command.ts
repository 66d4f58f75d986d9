import { Command } from 'commander';
import { z } from 'zod';
import { loadCliConfig } from '../cli-config';
import { createOutput } from '../output';
import { fetchOrExplain } from '../session/authority-client';
import { CredentialsStore } from '../session/credentials-store';

const whoamiSchema = z.object({
  subject: z.string(),
  tenant: z.string(),
  kind: z.string(),
  scopes: z.array(z.string()),
  clientId: z.string().optional(),
  expiresAt: z.string().optional(),
});

export function whoamiCommand(): Command {
  return new Command('whoami')
    .description('show who the cached token belongs to, its tenant and scopes (asks the authority)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const out = createOutput(Boolean(opts.json));
      const store = new CredentialsStore(loadCliConfig().home);
      const credentials = await store.load();
      if (!credentials) throw new Error('not logged in; run `stella login`');
      if (Date.parse(credentials.expiresAt) <= Date.now())
        throw new Error(`the cached token expired at ${credentials.expiresAt}; run \`stella login\``);
      const response = await fetchOrExplain(new URL('/api/v1/whoami', credentials.authorityUrl), {
        headers: { authorization: `Bearer ${credentials.accessToken}`, accept: 'application/json' },
      });
      const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
      if (!response.ok)
        throw new Error(
          `the authority refused the token (${response.status}): ${String(body?.detail ?? body?.title ?? '')}`,
        );
      const me = whoamiSchema.parse(body);
      out.result(
        [
          `subject:  ${me.subject} (${me.kind})`,
          `tenant:   ${me.tenant}`,
          `scopes:   ${me.scopes.join(' ')}`,
          `expires:  ${credentials.expiresAt}`,
          `authority ${credentials.authorityUrl}`,
        ].join('\n'),
        { ...me, authorityUrl: credentials.authorityUrl, expiresAt: credentials.expiresAt },
      );
    });
}
