-- Batched search-index maintenance: sends append to the GIN index's pending list, which the
-- server's search upkeep merges in bulk (server/services/messaging/search-upkeep.ts). An ALTER,
-- not the DROP + CREATE drizzle-kit writes: the same index options without rebuilding the index
-- (and blocking sends) on a database that already holds messages.
ALTER INDEX "messages_search_idx" SET (fastupdate = true, gin_pending_list_limit = 16384);
