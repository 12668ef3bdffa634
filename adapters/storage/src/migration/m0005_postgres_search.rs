//! Chat search on PostgreSQL: a GIN index over the words of each message, accents folded
//! by the `unaccent` extension (shipped with PostgreSQL, trusted since version 13), so the
//! search finds what SQLite's FTS5 index finds. SQLite stores are left as m0004 made them.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

/// The functions the index and the query share. Words are runs of letters and digits, as in
/// SQLite's `unicode61` tokenizer (PostgreSQL's own parser would keep `ann@example.com` as
/// one token). `unaccent` is only STABLE and an index needs an IMMUTABLE expression, so the
/// dictionary is named explicitly, the usual way.
const CREATE: &[&str] = &[
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE OR REPLACE FUNCTION wink_search_words(body text) RETURNS tsvector \
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS \
        $$ SELECT to_tsvector('simple'::regconfig, regexp_replace(\
            public.unaccent('public.unaccent'::regdictionary, body), '[^[:alnum:]]+', ' ', 'g')) $$",
    // The query from words separated by single spaces: each folded and cleaned the same way
    // as the text, then quoted by the server (`unaccent` turns some letters into quotes or
    // colons, so quoting before folding was a syntax error: "donʼt"), in order, the last
    // one a prefix.
    "CREATE OR REPLACE FUNCTION wink_search_query(words text) RETURNS tsquery \
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS \
        $$ SELECT to_tsquery('simple'::regconfig, string_agg(part, ' <-> ' ORDER BY n)) FROM ( \
            SELECT n, quote_literal(regexp_replace( \
                public.unaccent('public.unaccent'::regdictionary, w), '[^[:alnum:]]+', ' ', 'g')) \
                || CASE WHEN n = max(n) OVER () THEN ':*' ELSE '' END AS part \
            FROM regexp_split_to_table(words, ' ') WITH ORDINALITY AS t(w, n)) AS parts $$",
    "CREATE INDEX IF NOT EXISTS chat_messages_words ON chat_messages USING GIN (wink_search_words(body))",
];

/// Adds the PostgreSQL chat search index (nothing on SQLite).
#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::execute_on(manager, DbBackend::Postgres, CREATE).await
    }
}
