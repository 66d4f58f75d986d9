/**
 * Ready-made readiness checks for the dependencies services share. They take the
 * smallest interface they need so the platform does not depend on TypeORM or nats.
 */
export function postgresCheck(db: { query(sql: string): Promise<unknown> }): () => Promise<void> {
  return async () => {
    await db.query('SELECT 1');
  };
}

export function natsCheck(bus: { ping(): Promise<unknown> }): () => Promise<void> {
  return async () => {
    await bus.ping();
  };
}

/**
 * An S3-compatible endpoint is up when it answers HTTP at all: an anonymous request
 * gets 403/400 from S3 and MinIO, which still proves the server is there.
 */
export function objectStoreCheck(endpoint: string): () => Promise<void> {
  return async () => {
    const response = await fetch(endpoint, { method: 'HEAD', signal: AbortSignal.timeout(2000) });
    if (response.status >= 500) throw new Error(`object store answered ${response.status}`);
  };
}
