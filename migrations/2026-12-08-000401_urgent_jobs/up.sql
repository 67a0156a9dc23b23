-- A job that may not wait out the service's quiet hours although its kind does: an acute family
-- group conference's invitations go at once, whatever the hour, since the meeting is hours away.
ALTER TABLE jobs ADD COLUMN urgent boolean NOT NULL DEFAULT false;
