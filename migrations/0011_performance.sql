-- Indexes for a real term's load (issue 15). No new columns.
--
-- Start-up looks for future events whose card is not posted yet; without this it read every
-- event ever held. Partial: only unposted scheduled events are in it, so it stays tiny.
CREATE INDEX events_unposted ON events (starts_at) WHERE status = 'scheduled' AND message_id IS NULL;
