import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Live events for `GET /api/v1/events`: triggers NOTIFY `ccc_live` at commit with
 * `[{id, type, incidentId|reportId|deliveryId, at}]`. Every API instance LISTENs, so each
 * sees every event in commit order; ids come from one sequence, so a client resuming on
 * another instance names the same event. Triggers, not application code, so that every
 * writer of the timeline (intake's single statement included) emits without knowing.
 */
export class LiveEvents1795772000000 implements MigrationInterface {
  name = 'LiveEvents1795772000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE live_event_seq`);
    // One NOTIFY per statement (payloads are capped near 8,000 bytes: split when long).
    await q.query(`
      CREATE FUNCTION ccc_live_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        payload text := '';
        item text;
      BEGIN
        FOR item IN
          SELECT json_build_object(
                   'id', nextval('live_event_seq')::text,
                   'type', e.kind,
                   'incidentId', e.incident_id,
                   'at', to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text
          FROM (SELECT n.incident_id, n.at,
                       CASE n.type
                         WHEN 'created' THEN 'incident.created'
                         WHEN 'routed' THEN NULL
                         WHEN 'notified' THEN 'dispatch.updated'
                         WHEN 'acknowledged' THEN 'dispatch.updated'
                         WHEN 'escalated' THEN 'dispatch.updated'
                         WHEN 'commented' THEN 'comment.added'
                         WHEN 'attached' THEN 'attachment.added'
                         WHEN 'attachment-downloaded' THEN NULL
                         ELSE 'incident.updated'
                       END AS kind
                FROM new_rows n ORDER BY n.at) e
          WHERE e.kind IS NOT NULL
        LOOP
          IF length(payload) + length(item) > 7000 THEN
            PERFORM pg_notify('ccc_live', '[' || payload || ']');
            payload := '';
          END IF;
          payload := CASE WHEN payload = '' THEN item ELSE payload || ',' || item END;
        END LOOP;
        IF payload <> '' THEN
          PERFORM pg_notify('ccc_live', '[' || payload || ']');
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER timeline_events_live AFTER INSERT ON timeline_events
      REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ccc_live_timeline()`);

    await q.query(`
      CREATE FUNCTION ccc_live_report() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('ccc_live', json_build_array(json_build_object(
          'id', nextval('live_event_seq')::text, 'type', 'report.ready', 'reportId', NEW.id,
          'at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER reports_live AFTER UPDATE OF status ON reports
      FOR EACH ROW WHEN (NEW.status = 'ready' AND OLD.status IS DISTINCT FROM 'ready')
      EXECUTE FUNCTION ccc_live_report()`);

    await q.query(`
      CREATE FUNCTION ccc_live_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('ccc_live', json_build_array(json_build_object(
          'id', nextval('live_event_seq')::text, 'type', 'delivery.failed', 'deliveryId', NEW.id,
          'incidentId', NEW.incident_id,
          'at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER deliveries_live AFTER UPDATE OF status ON deliveries
      FOR EACH ROW WHEN (NEW.status = 'failed' AND OLD.status IS DISTINCT FROM 'failed')
      EXECUTE FUNCTION ccc_live_delivery()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER deliveries_live ON deliveries`);
    await q.query(`DROP FUNCTION ccc_live_delivery()`);
    await q.query(`DROP TRIGGER reports_live ON reports`);
    await q.query(`DROP FUNCTION ccc_live_report()`);
    await q.query(`DROP TRIGGER timeline_events_live ON timeline_events`);
    await q.query(`DROP FUNCTION ccc_live_timeline()`);
    await q.query(`DROP SEQUENCE live_event_seq`);
  }
}
