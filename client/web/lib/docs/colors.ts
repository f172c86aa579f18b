import type { DocUser } from './sync.ts';

/**
 * Cursor colours: dark enough for the white name label, light enough to see on the dark theme.
 * A user keeps one colour everywhere (hashed from the user id), so people learn who is who.
 */
const PALETTE = ['#c2410c', '#15803d', '#1d4ed8', '#a21caf', '#b91c1c', '#0f766e', '#7c3aed', '#a16207', '#be185d', '#0369a1'];

/** FNV-1a: cheap, and stable across sessions and browsers. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The colour of `userId`'s cursor. */
export const userColor = (userId: string) => PALETTE[hash(userId) % PALETTE.length]!;

/** What our cursor tells the others: name and colour (a translucent one for selections). */
export function docUser(user: { id: string; username: string }): DocUser {
  const color = userColor(user.id);
  return { id: user.id, name: user.username, color, colorLight: `${color}40` };
}
