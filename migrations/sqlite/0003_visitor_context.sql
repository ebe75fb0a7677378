-- The page the visitor is on, kept up to date as they navigate (the URL was already kept).
ALTER TABLE visitors ADD COLUMN page_title TEXT;
