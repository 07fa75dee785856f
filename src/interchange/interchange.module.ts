import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { ExportController } from './export.controller.js';
import { ExportService } from './export.service.js';
import { ExportableIncidents } from './exportable-incidents.js';
import { MispFeedController } from './misp-feed.controller.js';
import { MispFeedService } from './misp-feed.service.js';
import { StixIndex } from './stix-index.js';
import { StixObjectsRepository } from './stix-objects.repository.js';
import { TaxiiController } from './taxii.controller.js';
import { TaxiiService } from './taxii.service.js';

/**
 * Interchange with member-state tools: the STIX 2.1 and MISP mappings of an incident, the
 * per-incident export, the TAXII 2.1 server (read side) and the MISP feeds. Reads incidents
 * only through IncidentsRepository; owns stix_objects, stix_pending and stix_clock.
 */
@Module({
  imports: [IncidentsModule],
  controllers: [ExportController, TaxiiController, MispFeedController],
  providers: [
    ExportService,
    ExportableIncidents,
    MispFeedService,
    StixIndex,
    StixObjectsRepository,
    TaxiiService,
  ],
  exports: [StixIndex],
})
export class InterchangeModule {}
