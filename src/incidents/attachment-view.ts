import type { DataSource, EntityManager } from 'typeorm';

/**
 * An attachment's metadata as the API, the incident view and webhooks show it (never its
 * bytes). A leaf file: the incidents repository reads it to put `attachments` in the
 * incident, so it imports nothing from the rest of the attachments module.
 */
export interface AttachmentView {
  id: string;
  filename: string;
  originalFilename: string | null;
  size: number;
  contentType: string;
  sha256: string;
  sha1: string;
  md5: string;
  malware: boolean;
  description: string | null;
  uploadedBy: string;
  createdAt: Date;
  deletedAt: Date | null;
}

export interface AttachmentRow {
  id: string;
  incident_id: string;
  filename: string;
  original_filename: string | null;
  size: string;
  content_type: string;
  sha256: string;
  sha1: string;
  md5: string;
  malware: boolean;
  description: string | null;
  uploaded_by: string;
  created_at: Date;
  deleted_at: Date | null;
}

export const ATTACHMENT_COLUMNS = `id, incident_id, filename, original_filename, size, content_type,
  sha256, sha1, md5, malware, description, uploaded_by, created_at, deleted_at`;

export function toAttachmentView(row: AttachmentRow): AttachmentView {
  return {
    id: row.id,
    filename: row.filename,
    originalFilename: row.original_filename,
    size: Number(row.size),
    contentType: row.content_type,
    sha256: row.sha256,
    sha1: row.sha1,
    md5: row.md5,
    malware: row.malware,
    description: row.description,
    uploadedBy: row.uploaded_by,
    createdAt: row.created_at,
    deletedAt: row.deleted_at,
  };
}

/**
 * The metadata of every attachment of these incidents (deleted ones included, with
 * `deletedAt`), oldest first, grouped by incident id: one query whatever the count.
 * Callers have already applied the visibility rule to the incidents.
 */
export async function attachmentsOf(
  db: DataSource | EntityManager,
  incidentIds: string[],
): Promise<Map<string, AttachmentView[]>> {
  const out = new Map<string, AttachmentView[]>();
  if (incidentIds.length === 0) return out;
  const rows = await db.query<AttachmentRow[]>(
    `SELECT ${ATTACHMENT_COLUMNS} FROM attachments
     WHERE incident_id = ANY($1::uuid[]) ORDER BY incident_id, created_at, id`,
    [incidentIds],
  );
  for (const row of rows) {
    const list = out.get(row.incident_id) ?? [];
    list.push(toAttachmentView(row));
    out.set(row.incident_id, list);
  }
  return out;
}
