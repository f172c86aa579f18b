import { eq, inArray } from 'drizzle-orm';
import type * as wire from '../../../shared/entities.ts';
import type { Db } from '../../db/client.ts';
import { users } from '../../db/schema/index.ts';
import { notFound } from '../../errors.ts';
import { presentUser } from '../present.ts';

const publicColumns = { id: users.id, username: users.username, displayName: users.displayName, createdAt: users.createdAt };

/** Reads users' public profiles. */
export function createUserService(db: Db) {
  return {
    async byId(id: string): Promise<wire.User> {
      const [row] = await db.select(publicColumns).from(users).where(eq(users.id, id));
      if (!row) throw notFound('User');
      return presentUser(row);
    },
    async byUsername(username: string): Promise<wire.User> {
      const [row] = await db.select(publicColumns).from(users).where(eq(users.username, username.toLowerCase()));
      if (!row) throw notFound('User');
      return presentUser(row);
    },
    async byIds(ids: string[]): Promise<Map<string, wire.User>> {
      if (!ids.length) return new Map();
      const rows = await db.select(publicColumns).from(users).where(inArray(users.id, ids));
      return new Map(rows.map((r) => [r.id, presentUser(r)]));
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
export { publicColumns as userColumns };
