import { z } from 'zod';
import { ChannelType, Uuid } from './entities.ts';
import { LIMITS, USERNAME_PATTERN } from './limits.ts';

/** Procedure inputs (snake_case wire shapes), validated by the server and typed for clients. */

/** Text as PostgreSQL can store it: no NUL characters. Every string input starts here. */
export const Text = () => z.string().refine((v) => !v.includes('\u0000'), 'must not contain NUL characters');
const trimmed = (min: number, max: number) => Text().trim().min(min).max(max);

export const Username = z
  .string()
  .min(LIMITS.usernameMin)
  .max(LIMITS.usernameMax)
  .transform((s) => s.toLowerCase())
  .pipe(Text().regex(USERNAME_PATTERN, 'may contain only a-z, 0-9, "_", "." and "-"'));
export const Password = Text().min(LIMITS.passwordMin).max(LIMITS.passwordMax);
export const Name = trimmed(LIMITS.nameMin, LIMITS.nameMax);
export const Content = Text()
  .max(LIMITS.contentMax)
  .refine((s) => s.trim().length >= LIMITS.contentMin, {
    message: 'must not be empty',
  });
export const Nonce = Text().min(1).max(LIMITS.nonceMax);
export const Seq = z.number().int().min(0);
/** A reaction: unicode emoji (with modifiers, ZWJ sequences, flags and keycaps) or a `:custom_name:`. */
export const Emoji = Text()
  .trim()
  .min(1)
  .max(LIMITS.emojiMax)
  .regex(/^(?::[a-z0-9_+-]{1,62}:|(?:\p{Extended_Pictographic}|\p{Emoji_Component}|\u200d|\ufe0f|\u20e3)+)$/u, 'must be an emoji or :name:')
  // Digits, '#' and '*' are emoji components, not emoji: alone they need a keycap.
  .refine((s) => s.startsWith(':') || /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u.test(s), 'must be an emoji or :name:');
/** Stream position for resume; tRPC's client sends it as `lastEventId`, Parley's contract as `last_event_id`. */
export const EventId = Text().regex(/^\d{1,15}$/, 'must be a stream sequence');

export const RegisterInput = z.object({
  username: Username,
  password: Password,
  display_name: trimmed(1, LIMITS.displayNameMax).optional(),
});
/** A username to look up: any length up to the maximum (a stranger's typo is NOT_FOUND, not BAD_REQUEST). */
const UsernameLookup = z
  .string()
  .min(1)
  .max(LIMITS.usernameMax)
  .transform((s) => s.toLowerCase())
  .pipe(Text());
export const LoginInput = z.object({
  username: UsernameLookup,
  password: Text().min(1).max(LIMITS.passwordMax),
});
export const RefreshInput = z.object({ refresh_token: Text().min(1).max(512) });
export const ByUsernameInput = z.object({ username: UsernameLookup });

export const GroupIdInput = z.object({ group_id: Uuid });
export const CreateGroupInput = z.object({
  name: Name,
  description: Text().trim().max(LIMITS.descriptionMax).optional(),
});
export const UpdateGroupInput = z.object({
  group_id: Uuid,
  name: Name.optional(),
  description: Text().trim().max(LIMITS.descriptionMax).optional(),
});
export const AddMemberInput = z.object({
  group_id: Uuid,
  user_id: Uuid,
  role: z.enum(['admin', 'member']).optional(),
});
export const MemberInput = z.object({ group_id: Uuid, user_id: Uuid });
export const SetRoleInput = z.object({ group_id: Uuid, user_id: Uuid, role: z.enum(['admin', 'member']) });
export const CreateInviteInput = z.object({
  group_id: Uuid,
  max_uses: z.number().int().min(1).max(LIMITS.inviteMaxUsesMax).optional(),
  expires_in_seconds: z.number().int().min(1).max(LIMITS.inviteExpiresMaxSeconds).optional(),
});
export const JoinInput = z.object({ code: Text().trim().min(1).max(64) });

export const ChannelIdInput = z.object({ channel_id: Uuid });
export const CreateChannelInput = z.object({
  group_id: Uuid,
  name: Name,
  type: ChannelType,
  topic: Text().trim().max(LIMITS.topicMax).optional(),
});
export const UpdateChannelInput = z.object({
  channel_id: Uuid,
  name: Name.optional(),
  topic: Text().trim().max(LIMITS.topicMax).optional(),
});

export const SendMessageInput = z.object({ channel_id: Uuid, content: Content, nonce: Nonce.optional() });
export const ListMessagesInput = z.object({
  channel_id: Uuid,
  before_seq: Seq.optional(),
  after_seq: Seq.optional(),
  limit: z.number().int().min(1).max(LIMITS.historyPageMax).optional(),
});
export const MessageIdInput = z.object({ message_id: Uuid });
export const EditMessageInput = z.object({ message_id: Uuid, content: Content });
export const ReactInput = z.object({ message_id: Uuid, emoji: Emoji });
export const SearchInput = z.object({
  query: Text().trim().min(1).max(LIMITS.searchQueryMax),
  group_id: Uuid.optional(),
  channel_id: Uuid.optional(),
  limit: z.number().int().min(1).max(LIMITS.searchLimitMax).optional(),
});
export const MarkReadInput = z.object({ channel_id: Uuid, seq: Seq });

export const SendDmInput = z.object({ user_id: Uuid, content: Content, nonce: Nonce.optional() });
export const ListDmsInput = z.object({
  user_id: Uuid,
  before_seq: Seq.optional(),
  after_seq: Seq.optional(),
  limit: z.number().int().min(1).max(LIMITS.historyPageMax).optional(),
});
export const MarkDmReadInput = z.object({ user_id: Uuid, seq: Seq });

export const TypingInput = z.object({ channel_id: Uuid, is_typing: z.boolean() });
export const DmTypingInput = z.object({ user_id: Uuid, is_typing: z.boolean() });
export const SignalType = z.enum(['offer', 'answer', 'ice_candidate']);
/** SDP or ICE payload: any JSON value up to the WebRTC data limit (measured as UTF-8 JSON). */
export const SignalData = z.json().refine((d) => new TextEncoder().encode(JSON.stringify(d)).length <= LIMITS.webrtcDataMaxBytes, {
  message: `must be at most ${LIMITS.webrtcDataMaxBytes} bytes of JSON`,
});
export const SignalInput = z
  .object({
    channel_id: Uuid.optional(),
    user_id: Uuid.optional(),
    target_user_id: Uuid.optional(),
    type: SignalType,
    data: SignalData,
  })
  .refine((s) => (s.channel_id === undefined) !== (s.user_id === undefined), {
    message: 'exactly one of channel_id and user_id is required',
    path: ['channel_id'],
  });

const resumable = { last_event_id: EventId.optional(), lastEventId: EventId.nullish() };
export const ChannelStreamInput = z.object({ channel_id: Uuid, ...resumable });
export const DmStreamInput = z.object({ user_id: Uuid, ...resumable });
export const MeStreamInput = z.object(resumable).optional();

export type RegisterInput = z.infer<typeof RegisterInput>;
export type SignalInput = z.infer<typeof SignalInput>;
export type SignalPayload = z.infer<typeof SignalData>;
