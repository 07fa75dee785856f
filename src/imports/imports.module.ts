import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module.js';
import { ImportQueue } from './import-queue.js';
import { ImportsController } from './imports.controller.js';
import { ImportsRepository } from './imports.repository.js';
import { ImportsService } from './imports.service.js';
import { TaxiiAddController } from './taxii-add.controller.js';

/**
 * Imports of STIX 2.1, MISP and TAXII add objects (every role): accepting them and reading
 * their status. Owns imports, import_items and imported_objects; files and updates
 * incidents only through the incidents module's intake and revisions (worker module).
 */
@Module({
  imports: [IncidentsModule],
  controllers: [ImportsController, TaxiiAddController],
  providers: [ImportsService, ImportsRepository, ImportQueue],
  exports: [ImportsRepository, ImportQueue],
})
export class ImportsModule {}
