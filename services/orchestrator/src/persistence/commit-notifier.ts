import { Injectable } from '@nestjs/common';

export interface CommittedChange {
  tenant: string;
  promotionIds: readonly string[];
  /** Environments with an approved promotion waiting for the deployment slot. */
  queuedEnvironments: readonly string[];
  /** The change wrote audit entries (the chainer has work). */
  audited: boolean;
}

export type CommitListener = (change: CommittedChange) => void;

/**
 * Tells in-process listeners what a transaction changed, right after it committed: WatchPromotion
 * streams, the deployment dispatcher, the audit chainer. Other replicas learn from JetStream and polls.
 */
@Injectable()
export class CommitNotifier {
  private readonly listeners = new Set<CommitListener>();

  subscribe(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  committed(change: CommittedChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
