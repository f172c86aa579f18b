-- A channel message's `message` event is no longer stored twice: replays read it from the
-- messages row (server/services/messaging/message-json.ts). Drop the copies earlier versions
-- wrote to `events` (or their deletion notices, which the row's deleted_at now stands for).
DELETE FROM "events" e USING "messages" m
WHERE e."stream" = 'c:' || m."channel_id"::text AND e."seq" = m."seq";
