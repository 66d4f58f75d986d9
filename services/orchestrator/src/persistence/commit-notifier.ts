import { Injectable } from '@nestjs/common';

export type CommitListener = (change: { tenant: string; promotionIds: readonly string[] }) => void;

/**
 * Tells in-process listeners (WatchPromotion streams) that promotions changed, right after the
 * transaction committed. Other replicas learn the same from JetStream.
 */
@Injectable()
export class CommitNotifier {
  private readonly listeners = new Set<CommitListener>();

  subscribe(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  committed(tenant: string, promotionIds: readonly string[]): void {
    if (promotionIds.length === 0) return;
    for (const listener of this.listeners) listener({ tenant, promotionIds });
  }
}
