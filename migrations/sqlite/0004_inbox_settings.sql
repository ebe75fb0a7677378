-- Each inbox is one website's widget: its look, its words, and the sites that may embed it
-- (one domain per line; empty: any site). The existing default inbox keeps working as before.
ALTER TABLE inboxes ADD COLUMN color TEXT NOT NULL DEFAULT '#4f46e5';
ALTER TABLE inboxes ADD COLUMN greeting TEXT NOT NULL DEFAULT 'Ask us anything. We''re here to help.';
ALTER TABLE inboxes ADD COLUMN away_message TEXT NOT NULL DEFAULT 'We''re away right now. Leave your e-mail and we''ll reply there.';
ALTER TABLE inboxes ADD COLUMN allowed_domains TEXT NOT NULL DEFAULT '';
ALTER TABLE inboxes ADD COLUMN ask_email INTEGER NOT NULL DEFAULT 0;
UPDATE inboxes SET name = 'Switchboard Support' WHERE id = 'default' AND name = 'Website';
