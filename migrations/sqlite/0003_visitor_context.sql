-- What the host page tells about the visitor: the page they are on (kept up to date as they
-- navigate; the URL was already kept) and what the site's own code gave through
-- `Switchboard.identify` / `setContext` (a JSON object of short strings).
ALTER TABLE visitors ADD COLUMN page_title TEXT;
ALTER TABLE visitors ADD COLUMN context TEXT;
