import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export const storedCredentialsSchema = z.object({
  authorityUrl: z.string().url(),
  accessToken: z.string().min(1),
  tokenType: z.literal('Bearer'),
  scope: z.string(),
  expiresAt: z.string(),
  grant: z.enum(['client_credentials', 'password']),
  principal: z.string(),
});
export type StoredCredentials = z.infer<typeof storedCredentialsSchema>;

/**
 * The token cache: `<home>/credentials.json`, directory 0700, file 0600 (written with
 * that mode from the start, so the token is never readable by others even briefly).
 * Only the short-lived access token is kept, never a client secret or password.
 */
export class CredentialsStore {
  constructor(private readonly home: string) {}

  get path(): string {
    return join(this.home, 'credentials.json');
  }

  async save(credentials: StoredCredentials): Promise<void> {
    await mkdir(this.home, { recursive: true, mode: 0o700 });
    await writeFile(this.path, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
    await chmod(this.path, 0o600);
  }

  async load(): Promise<StoredCredentials | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = storedCredentialsSchema.safeParse(JSON.parse(text));
    if (!parsed.success)
      throw new Error(`the credentials file ${this.path} is damaged; run \`stella login\` again`);
    return parsed.data;
  }

  async clear(): Promise<void> {
    await rm(this.path, { force: true });
  }
}
