import { Inject, Injectable } from '@nestjs/common';
import { ProblemError, STELLA_CONFIG } from '@stella/platform';
import type { ExcititorConfig } from '../config/excititor-config';
import { canonicalProductKey, lookupKeys } from '../formats/product-key';
import { issued } from '../ingest/ingest-vex.usecase';
import { VexStore } from '../persistence/vex-store';
import { computeConsensus, type Consensus } from './consensus';

/** The consensus for one (vulnerability, product), with every statement and why it counted or not. */
@Injectable()
export class GetConsensus {
  constructor(
    @Inject(STELLA_CONFIG) private readonly config: ExcititorConfig,
    private readonly store: VexStore,
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
    return computeConsensus(vulnerabilityId, key, issued(this.config, statements));
  }
}
