-- Labels belong to a client ID, not to a connection, and may be set before
-- the device is ever seen (an imported inventory): no foreign key to
-- client_state. The key and value rules live in contract/labels.ts; the
-- checks here are the backstop for writes that bypass the API.
CREATE TABLE "client_label" (
    "client_id" TEXT COLLATE "C" NOT NULL,
    "key" TEXT COLLATE "C" NOT NULL,
    "value" TEXT COLLATE "C" NOT NULL,
    CONSTRAINT "client_label_pkey" PRIMARY KEY ("client_id", "key"),
    CONSTRAINT "client_label_key_check" CHECK ("key" ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
    CONSTRAINT "client_label_value_check" CHECK (char_length("value") BETWEEN 1 AND 256)
);

-- `label=key:value` filters: the clients holding one label, read in client ID
-- order straight from the index.
CREATE INDEX "client_label_key_value_client_id_idx" ON "client_label" ("key", "value", "client_id");
