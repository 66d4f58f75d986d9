import { z } from 'zod';

/**
 * Distribution's notification envelope (`application/vnd.docker.distribution.events.v1+json`).
 * Open objects: registries add fields; only what intake uses is checked.
 */
export const registryNotificationSchema = z.object({
  events: z
    .array(
      z.object({
        id: z.string().min(1).max(256),
        timestamp: z.string().max(64).optional(),
        action: z.string().max(32),
        target: z.object({
          mediaType: z.string().max(256).optional(),
          digest: z.string().max(200).optional(),
          repository: z.string().min(1).max(512),
          url: z.string().max(2048).optional(),
          tag: z.string().max(128).optional(),
        }),
        request: z.object({ host: z.string().max(256).optional() }).optional(),
      }),
    )
    .max(1000),
});

export type RegistryNotification = z.infer<typeof registryNotificationSchema>;
