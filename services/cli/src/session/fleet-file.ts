import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/** Written by `npm run quickstart`: what runs where, so the CLI needs no flags on a dev machine. */
export const fleetFileSchema = z.object({
  startedAt: z.string(),
  databaseUrl: z.string(),
  natsUrl: z.string(),
  natsPrefix: z.string(),
  services: z.array(z.object({ name: z.string(), url: z.string().url(), pid: z.number().int().optional() })),
  secretFiles: z.array(z.string()).default([]),
  dataDir: z.string().optional(),
});
export type FleetFile = z.infer<typeof fleetFileSchema>;

export async function readFleetFile(path: string): Promise<FleetFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return fleetFileSchema.parse(JSON.parse(text));
}

export function serviceUrl(fleet: FleetFile | undefined, name: string): string | undefined {
  return fleet?.services.find((s) => s.name === name)?.url;
}
