-- Numbers each transaction that wrote events at commit, in commit order (see event_commits). A
-- deferred trigger runs after every statement of the transaction, so the lock is taken last, as the
-- audit chain takes it, and cannot join a deadlock with row locks. The same lock as the audit chain:
-- a transaction that appended audit events already holds it, and two locks could deadlock.
CREATE FUNCTION events_seal_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM event_commits WHERE tx_id = pg_current_xact_id()) THEN
    PERFORM pg_advisory_xact_lock(hashtext('wedid.audit_events'));
    INSERT INTO event_commits (tx_id) VALUES (pg_current_xact_id());
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER events_seal_commit AFTER INSERT ON events
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_seal_commit();
