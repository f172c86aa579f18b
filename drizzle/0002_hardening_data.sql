-- Issue 11: a replay shows the present. Events written before `entity_id` existed are keyed on
-- the message they carry, then the stored text of deleted and edited messages is scrubbed.
UPDATE "events" SET "entity_id" = ("payload"::jsonb ->> 'id')::uuid
WHERE "entity_id" IS NULL
  AND ("payload"::jsonb ->> 'type') IN ('message', 'message_updated', 'message_deleted', 'dm_message', 'dm_message_updated', 'dm_message_deleted');
--> statement-breakpoint
UPDATE "events" SET "entity_id" = ("payload"::jsonb -> 'message' ->> 'id')::uuid
WHERE "entity_id" IS NULL AND ("payload"::jsonb ->> 'type') = 'mention';
--> statement-breakpoint
-- A deleted channel message: every event that carried its text becomes its deletion notice.
UPDATE "events" e
SET "payload" = json_build_object('type', 'message_deleted', 'id', m.id, 'seq', m.seq, 'channel_id', m.channel_id)::text
FROM "messages" m
WHERE e.entity_id = m.id AND m.deleted_at IS NOT NULL
  AND (e.payload::jsonb ->> 'type') IN ('message', 'message_updated', 'mention');
--> statement-breakpoint
UPDATE "events" e
SET "payload" = json_build_object('type', 'dm_message_deleted', 'id', d.id, 'seq', d.seq)::text
FROM "direct_messages" d
WHERE e.entity_id = d.id AND d.deleted_at IS NOT NULL
  AND (e.payload::jsonb ->> 'type') IN ('dm_message', 'dm_message_updated');
--> statement-breakpoint
-- An edited message: every event that carried an earlier text carries the present one.
UPDATE "events" e
SET "payload" = (e.payload::jsonb
  || jsonb_build_object('content', m.content, 'edited_at', to_char(m.edited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))::text
FROM "messages" m
WHERE e.entity_id = m.id AND m.deleted_at IS NULL AND m.edited_at IS NOT NULL
  AND (e.payload::jsonb ->> 'type') IN ('message', 'message_updated');
--> statement-breakpoint
UPDATE "events" e
SET "payload" = jsonb_set(e.payload::jsonb, '{message}', (e.payload::jsonb -> 'message')
  || jsonb_build_object('content', m.content, 'edited_at', to_char(m.edited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))::text
FROM "messages" m
WHERE e.entity_id = m.id AND m.deleted_at IS NULL AND m.edited_at IS NOT NULL
  AND (e.payload::jsonb ->> 'type') = 'mention';
--> statement-breakpoint
UPDATE "events" e
SET "payload" = (e.payload::jsonb
  || jsonb_build_object('content', d.content, 'edited_at', to_char(d.edited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))::text
FROM "direct_messages" d
WHERE e.entity_id = d.id AND d.deleted_at IS NULL AND d.edited_at IS NOT NULL
  AND (e.payload::jsonb ->> 'type') IN ('dm_message', 'dm_message_updated');
