import { z } from 'zod';
import { Uuid } from './entities.ts';
import { Content, Nonce, SignalData } from './inputs.ts';

/**
 * Client frames of the original raw WebSocket protocol (`/ws/channel/:id`, `/ws/dm/:id`).
 * The server answers with the event shapes of events.ts, bare (no tRPC envelope).
 */
const signal = (type: 'webrtc_offer' | 'webrtc_answer' | 'webrtc_ice_candidate') =>
  z.object({ type: z.literal(type), target_user_id: Uuid.optional(), data: SignalData });

export const GatewayFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), content: Content, nonce: Nonce.optional() }),
  z.object({ type: z.literal('typing'), is_typing: z.boolean() }),
  z.object({ type: z.literal('dm_message'), content: Content, nonce: Nonce.optional() }),
  z.object({ type: z.literal('dm_typing'), is_typing: z.boolean() }),
  signal('webrtc_offer'),
  signal('webrtc_answer'),
  signal('webrtc_ice_candidate'),
]);
export type GatewayFrame = z.infer<typeof GatewayFrame>;

/** What the gateway sends back for a frame it could not take; the connection stays open. */
export const GatewayError = z.object({ type: z.literal('error'), message: z.string() });
export type GatewayError = z.infer<typeof GatewayError>;
