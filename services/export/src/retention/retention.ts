/** Retention classes: how long a packet or audit pack is kept before the sweeper deletes it. */
export type RetentionClass = 'standard' | 'regulated';

export interface RetentionPolicy {
  regulatedEnvironments: readonly string[];
  standardDays: number;
  regulatedDays: number;
}

const DAY_MS = 24 * 3_600_000;

/** Regulated environments keep evidence longer; expiry counts from the decision (deterministic). */
export function retentionOf(policy: RetentionPolicy, environment: string, from: Date): { retentionClass: RetentionClass; expiresAt: Date } {
  const retentionClass: RetentionClass = policy.regulatedEnvironments.includes(environment) ? 'regulated' : 'standard';
  const days = retentionClass === 'regulated' ? policy.regulatedDays : policy.standardDays;
  return { retentionClass, expiresAt: new Date(from.getTime() + days * DAY_MS) };
}
