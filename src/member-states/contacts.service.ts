import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { CCC_PARTY } from '../vocabulary/member-states.js';
import { actorOf, Principal } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { sql } from '../common/sql.js';
import { isLocale, type Locale } from '../i18n/i18n.js';
import { SecretBox } from '../secrets/secret-box.js';
import { Reseal, SecretRotation } from '../secrets/secret-rotation.js';
import {
  checkContacts,
  ContactView,
  DEFAULT_CONTACT_LOCALE,
  ExistingContact,
  planContactReplacement,
  StoredContact,
  toAuditEntry,
  toContactView,
} from './contact-rules.js';
import { ReplaceContactsDto } from './dto/replace-contacts.dto.js';
import { parseStateCode } from './state-code.js';

interface ContactRow {
  party: string;
  type: 'webhook' | 'email';
  url: string | null;
  address: string | null;
  locale: string | null;
}

// Two-key advisory lock namespace: one replacement per party at a time.
const CONTACTS_LOCK = 727_274_010;

/**
 * The notification endpoints of a party (a member state code or CCC). Webhook secrets are
 * stored sealed by SecretBox; only the webhook sender opens them, to sign.
 */
@Injectable()
export class ContactsService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly secrets: SecretBox,
    private readonly rotation: SecretRotation,
  ) {}

  onModuleInit() {
    this.rotation.register({
      name: 'contacts.secret',
      read: () =>
        sql<{ id: string; value: string }>(
          this.dataSource,
          'SELECT id, secret AS value FROM contacts WHERE secret IS NOT NULL',
        ),
      write: (changes) => this.resealSecrets(changes),
    });
  }

  /** Rotation and legacy clear rows: only where the row still holds what was read. */
  private async resealSecrets(changes: Reseal[]): Promise<number> {
    const rows = await sql<{ id: string }>(
      this.dataSource,
      `UPDATE contacts c SET secret = k.sealed
         FROM unnest($1::uuid[], $2::text[], $3::text[]) AS k(id, stored, sealed)
        WHERE c.id = k.id AND c.secret = k.stored
        RETURNING c.id`,
      [changes.map((c) => c.id), changes.map((c) => c.from), changes.map((c) => c.to)],
    );
    return rows.length;
  }

  /** `party` is 'CCC' or a member-state code as written in the path (404 if unknown). */
  async replace(
    rawParty: string,
    dto: ReplaceContactsDto,
    actor: Principal,
  ): Promise<{ contacts: ContactView[] }> {
    const party = rawParty === CCC_PARTY ? CCC_PARTY : parseStateCode(rawParty);
    const { value: contacts, errors } = checkContacts(dto.contacts);
    if (errors.length > 0) throw Problem.validation(errors);
    await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [CONTACTS_LOCK, party]);
      await this.write(manager, party, contacts);
      await this.audit.append(manager, {
        actor: actorOf(actor),
        action: 'contacts.replaced',
        targetType: 'contacts',
        targetId: party,
        change: { party, contacts: contacts.map(toAuditEntry) },
      });
    });
    return { contacts: contacts.map(toContactView) };
  }

  /**
   * Rows of contacts that stay keep their id (pending deliveries point at it); only
   * removed contacts are deleted, and their pending deliveries fail as gone.
   */
  private async write(manager: EntityManager, party: string, contacts: StoredContact[]) {
    const existing = await sql<ExistingContact>(
      manager,
      'SELECT id, type, url, address FROM contacts WHERE party = $1 ORDER BY position',
      [party],
    );
    const plan = planContactReplacement(existing, contacts);
    if (plan.remove.length > 0) {
      await sql(manager, 'DELETE FROM contacts WHERE id = ANY($1::uuid[])', [plan.remove]);
    }
    if (plan.keep.length > 0) {
      await sql(
        manager,
        `UPDATE contacts c SET position = k.position, secret = k.secret, locale = k.locale
           FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[])
             AS k(id, position, secret, locale)
          WHERE c.id = k.id`,
        [
          plan.keep.map((k) => k.id),
          plan.keep.map((k) => k.position),
          plan.keep.map((k) => (k.secret === null ? null : this.secrets.seal(k.secret))),
          plan.keep.map((k) => k.locale),
        ],
      );
    }
    if (plan.insert.length > 0) {
      const rows = plan.insert.map((i) => ({ position: i.position, ...i.contact }));
      await manager.query(
        `INSERT INTO contacts (party, position, type, url, secret, address, locale)
         SELECT $1, c.position, c.type, c.url, c.secret, c.address, c.locale
         FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
           AS c(position, type, url, secret, address, locale)`,
        [
          party,
          rows.map((c) => c.position),
          rows.map((c) => c.type),
          rows.map((c) => (c.type === 'webhook' ? c.url : null)),
          rows.map((c) => (c.type === 'webhook' ? this.secrets.seal(c.secret) : null)),
          rows.map((c) => (c.type === 'email' ? c.address : null)),
          rows.map((c) => (c.type === 'email' ? c.locale : null)),
        ],
      );
    }
  }

  async list(party: string): Promise<{ contacts: ContactView[] }> {
    const byParty = await this.listFor(this.dataSource.manager, [party]);
    return { contacts: byParty.get(party) ?? [] };
  }

  /** Contacts of several parties, in their order, without secrets. */
  async listFor(manager: EntityManager, parties: string[]): Promise<Map<string, ContactView[]>> {
    const rows = await sql<ContactRow>(
      manager,
      `SELECT party, type, url, address, locale FROM contacts WHERE party = ANY($1::text[])
       ORDER BY party, position`,
      [parties],
    );
    const out = new Map<string, ContactView[]>();
    for (const r of rows) {
      const view = toContactView(
        r.type === 'webhook'
          ? { type: 'webhook', url: r.url ?? '', secret: '' }
          : { type: 'email', address: r.address ?? '', locale: toLocale(r.locale) },
      );
      out.set(r.party, [...(out.get(r.party) ?? []), view]);
    }
    return out;
  }
}

function toLocale(value: string | null): Locale {
  return isLocale(value) ? value : DEFAULT_CONTACT_LOCALE;
}
