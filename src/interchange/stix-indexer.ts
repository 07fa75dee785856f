import { Injectable } from '@nestjs/common';
import { BackgroundLoop, LoopingService } from '../background/background-loop.js';
import { STIX_INDEX_BATCH, StixIndex } from './stix-index.js';

const INTERVAL_MS = 200;

/**
 * Indexes pending STIX objects in the background (roles worker and all), a batch per run and
 * at once again while a backlog lasts, so readers rarely have any left to catch up. Any number
 * of instances may run it: `ccc_stix_index` takes the stix_clock row first, one at a time.
 */
@Injectable()
export class StixIndexer extends LoopingService {
  protected readonly loop = new BackgroundLoop(
    { name: StixIndexer.name, intervalMs: INTERVAL_MS },
    async () => ((await this.index.indexBatch()) === STIX_INDEX_BATCH ? 0 : undefined),
  );

  constructor(private readonly index: StixIndex) {
    super();
  }
}
