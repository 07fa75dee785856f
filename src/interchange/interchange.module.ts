import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { ExportController } from './export.controller.js';
import { ExportService } from './export.service.js';
import { StixObjectsRepository } from './stix-objects.repository.js';

/**
 * Interchange with member-state tools: the STIX 2.1 and MISP mappings of an incident and the
 * per-incident export. Reads incidents only through IncidentsRepository; owns stix_objects.
 */
@Module({
  imports: [IncidentsModule],
  controllers: [ExportController],
  providers: [ExportService, StixObjectsRepository],
})
export class InterchangeModule {}
