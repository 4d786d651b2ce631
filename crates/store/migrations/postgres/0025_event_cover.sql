-- An event's cover picture (the image pipeline's key; purpose `event`).
ALTER TABLE events ADD COLUMN cover_key TEXT;
