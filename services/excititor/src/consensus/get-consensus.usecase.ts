import { Injectable } from '@nestjs/common';
import { ProblemError } from '@stella/platform';
import { canonicalProductKey, lookupKeys } from '../formats/product-key';
import { issued } from './issued';
import { IssuerRegistry } from '../issuers/issuer-registry';
import { VexStore } from '../persistence/vex-store';
import { computeConsensus, type Consensus } from './consensus';

/**
 * The consensus for one (vulnerability, product), with every statement and why it counted or not.
 * Computed at query time from the stored statements and each issuer's trust now.
 */
@Injectable()
export class GetConsensus {
  constructor(
    private readonly store: VexStore,
    private readonly issuers: IssuerRegistry,
  ) {}

  async execute(vulnerabilityId: string, product: string): Promise<Consensus> {
    const key =
      canonicalProductKey(product) ?? (/^(openvex|csaf|cdx|cpe|urn):/.test(product) ? product : null);
    if (!key)
      throw new ProblemError(400, {
        type: 'invalid-product',
        title: 'Invalid product',
        detail: 'product must be a purl, an image digest (sha256:…) or a document-scoped product key',
        field: 'product',
      });
    const statements = await this.store.statementsFor(vulnerabilityId, lookupKeys(key));
    return computeConsensus(
      vulnerabilityId,
      key,
      issued((id) => this.issuers.trustOf(id), statements),
    );
  }
}
