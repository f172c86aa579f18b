import { asc } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import * as schema from '../../db/schema/index.ts';
import { snapshot } from './fixtures.ts';

/**
 * Fixtures for the tasks and boards suites: a database snapshot that includes their tables
 * (compare two to prove a refused call changed nothing), and ordering helpers.
 */
export async function collabSnapshot(database: Database) {
  const { db } = database;
  const s = schema;
  const [base, taskLists, tasks, boards, columns, cards] = await Promise.all([
    snapshot(database),
    db.select().from(s.taskLists).orderBy(asc(s.taskLists.id)),
    db.select().from(s.tasks).orderBy(asc(s.tasks.id)),
    db.select().from(s.boards).orderBy(asc(s.boards.id)),
    db.select().from(s.boardColumns).orderBy(asc(s.boardColumns.id)),
    db.select().from(s.cards).orderBy(asc(s.cards.id)),
  ]);
  return { ...base, taskLists, tasks, boards, columns, cards };
}

/** Sorts by `position` in code-unit order, the order the contract defines. */
export const byPosition = <T extends { position: string }>(items: T[]): T[] =>
  [...items].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));

export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
