-- Events: attendees' access and dietary needs, privately, when the organisers ask (issue 17).
--
-- events.ask_needs: the organisers ask people going (or waiting) about their needs on this event.
-- event_rsvps.need: what a student chose to tell the organisers of that one event (special
-- category data they declared). Shown only to organisers (attendee list and register); cleared
-- when they press Can't go, erased with their RSVP by /privacy forget-me, and cleared by the
-- daily retention job 7 days after the event ends (bot/privacy.py).
ALTER TABLE events ADD COLUMN ask_needs INTEGER NOT NULL DEFAULT 0;
ALTER TABLE event_rsvps ADD COLUMN need TEXT;
