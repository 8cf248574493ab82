-- Mentoring, signposts and reports adopt the outbox (issue 14; docs/outbox.md).
--
-- No new columns. Pairings made before this migration still owe their two-week check-in: it
-- used to be a scheduler job armed from mentoring_matches, it is now an outbox item promised
-- with the pairing (see bot/services/mentoring.py), so the ones still owed are promised here.
-- The payload is what json.dumps writes for {"match_id": id}; the key is the DM's stored key.

INSERT OR IGNORE INTO outbox
    (guild_id, item_key, topic, recipient_id, payload, not_before, next_attempt_at, created_at)
SELECT guild_id, 'mentoring.checkin:' || id || '@' || mentor_id, 'mentoring.checkin', mentor_id,
       json_object('match_id', id), checkin_due_at, checkin_due_at, created_at
FROM mentoring_matches
WHERE checkin_sent_at IS NULL AND ended_at IS NULL;

INSERT OR IGNORE INTO outbox
    (guild_id, item_key, topic, recipient_id, payload, not_before, next_attempt_at, created_at)
SELECT guild_id, 'mentoring.checkin:' || id || '@' || mentee_id, 'mentoring.checkin', mentee_id,
       json_object('match_id', id), checkin_due_at, checkin_due_at, created_at
FROM mentoring_matches
WHERE checkin_sent_at IS NULL AND ended_at IS NULL;
