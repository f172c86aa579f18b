DROP INDEX "direct_messages_sender_nonce_key";--> statement-breakpoint
DROP INDEX "messages_sender_nonce_key";--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "entity_id" uuid;--> statement-breakpoint
CREATE UNIQUE INDEX "direct_messages_sender_pair_nonce_key" ON "direct_messages" USING btree ("sender_id","pair_key","nonce") WHERE nonce is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_sender_channel_nonce_key" ON "messages" USING btree ("sender_id","channel_id","nonce") WHERE nonce is not null;--> statement-breakpoint
CREATE INDEX "events_entity_idx" ON "events" USING btree ("entity_id") WHERE entity_id is not null;