import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';

@Entity('member_states')
export class MemberState {
  @PrimaryColumn({ type: 'char', length: 2 })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

@Entity('constituency_domains')
export class ConstituencyDomain {
  @PrimaryColumn({ type: 'char', length: 2 })
  stateCode!: string;

  @PrimaryColumn({ type: 'text' })
  @Index()
  domain!: string;
}

@Entity('constituency_cidrs')
@Index('constituency_cidrs_cidr_gist', { synchronize: false })
export class ConstituencyCidr {
  @PrimaryColumn({ type: 'char', length: 2 })
  stateCode!: string;

  @PrimaryColumn({ type: 'cidr' })
  cidr!: string;
}

@Entity('constituency_asns')
export class ConstituencyAsn {
  @PrimaryColumn({ type: 'char', length: 2 })
  stateCode!: string;

  @PrimaryColumn({ type: 'bigint' })
  @Index()
  asn!: string;
}

/** A notification endpoint of a party: a member state code or 'CCC'. */
@Entity('contacts')
@Index(['party', 'position'])
export class Contact {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 3 })
  party!: string;

  @Column({ type: 'int' })
  position!: number;

  @Column({ type: 'varchar', length: 10 })
  type!: 'webhook' | 'email';

  @Column({ type: 'text', nullable: true })
  url!: string | null;

  @Column({ type: 'text', nullable: true })
  secret!: string | null;

  @Column({ type: 'text', nullable: true })
  address!: string | null;

  /** E-mail contacts: the language of their e-mails (`ru` or `en`). */
  @Column({ type: 'varchar', length: 2, nullable: true })
  locale!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
