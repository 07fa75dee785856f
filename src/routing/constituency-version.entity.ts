import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row counting changes to the constituency tables (statement triggers bump it). Routing
 * decides from rules cached in memory at some version; the filing statement commits only if
 * that version is still current, so an incident is never routed by rules it could not see.
 */
@Entity('constituency_version')
export class ConstituencyVersion {
  @PrimaryColumn({ type: 'smallint', default: 1 })
  id!: number;

  @Column({ type: 'bigint' })
  version!: string;
}
