import { Module } from '@nestjs/common';
import { InterchangeModule } from './interchange.module.js';
import { StixIndexer } from './stix-indexer.js';

/** Indexing incidents' STIX objects in the background (roles worker and all). */
@Module({
  imports: [InterchangeModule],
  providers: [StixIndexer],
})
export class InterchangeWorkerModule {}
