import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import type { ExportFormat } from './dto/export-query.dto.js';
import { mispEvent } from './misp-event.js';
import { incidentBundle, type IncidentStix } from './stix-incident.js';
import { ExportableIncidents } from './exportable-incidents.js';
import { StixIndex } from './stix-index.js';

export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

export interface ExportDocument {
  contentType: string;
  filename: string;
  body: string;
}

/** `GET /api/v1/incidents/:id/export`: one incident as the caller may see it. */
@Injectable()
export class ExportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly exportables: ExportableIncidents,
    private readonly stixIndex: StixIndex,
  ) {}

  async export(principal: Principal, id: string, format: ExportFormat): Promise<ExportDocument> {
    const input = await this.exportable(principal, id);
    const reference = input.incident.reference;
    return format === 'misp'
      ? {
          contentType: 'application/json; charset=utf-8',
          filename: `${reference}.misp.json`,
          body: JSON.stringify(mispEvent(input)),
        }
      : {
          contentType: STIX_MEDIA_TYPE,
          filename: `${reference}.stix.json`,
          body: JSON.stringify(incidentBundle(input)),
        };
  }

  /**
   * The incident through the visibility-scoped repository (404 if the caller may not see it,
   * as for an absent one), with its kept STIX ids, read in one snapshot so the versions
   * match the content.
   */
  private async exportable(principal: Principal, id: string): Promise<IncidentStix> {
    await this.stixIndex.catchUp();
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const [found] = await this.exportables.load(manager, principal, [id]);
      if (!found) throw Problem.notFound('incident');
      return found;
    });
  }
}
