import { expect } from 'bun:test';
import { getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '../../db/client.ts';
import * as schema from '../../db/schema/index.ts';
import { expectCode, type WireError } from './errors.ts';

/** Every table of the schema by its export name (`users`, `messages`, `readStates`, ...). */
const TABLES = (Object.entries(schema) as [string, unknown][]).filter((entry): entry is [string, PgTable] => is(entry[1], PgTable));

/** A row's stable sort key: its JSON (dates as ISO strings), so the order does not depend on the driver. */
const key = (row: unknown) => JSON.stringify(row);

/** Rows per table, by the table's export name. */
type Schema = typeof schema;
type TableName = { [K in keyof Schema]: Schema[K] extends PgTable ? K : never }[keyof Schema];
export type Snapshot = { [K in TableName]: Schema[K] extends PgTable ? Schema[K]['$inferSelect'][] : never };

/**
 * Every row of every table in the schema, keyed by the table's export name (`directMessages`,
 * `readStates`, ...), in a stable order: compare two snapshots to prove that a refused call
 * changed nothing. Tables added to the schema later (files, documents, tasks, boards) are
 * covered without touching this.
 */
export async function snapshot(database: Database): Promise<Snapshot> {
  const { db } = database;
  const all = await Promise.all(
    TABLES.map(async ([name, table]) => {
      const rows = (await db.select().from(table)) as unknown[];
      return [
        name,
        rows
          .map((row) => [key(row), row] as const)
          .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
          .map(([, row]) => row),
      ];
    }),
  );
  return Object.fromEntries(all) as Snapshot;
}

/** The tables a snapshot covers, by SQL name (a test can assert a new table is among them). */
export const snapshotTables = () => TABLES.map(([, table]) => getTableName(table));

/** Same as `snapshot` (the messaging suites' name for it; every table is covered either way). */
export const fullSnapshot = snapshot;

/** Runs `call`, which must be refused with `code`, and asserts the database is exactly as before. */
export async function expectRefusedUnchanged(database: Database, call: () => Promise<unknown>, code: string): Promise<WireError> {
  const before = await snapshot(database);
  const error = await expectCode(call(), code);
  expect(await snapshot(database)).toEqual(before);
  return error;
}

/** Same as `expectRefusedUnchanged` (the messaging suites' name for it). */
export const refusedUnchanged = expectRefusedUnchanged;

/** Like `expectRefusedUnchanged` for BAD_REQUEST, also requiring HTTP 400 and, if given, an issue at `path`. */
export async function badInputUnchanged(database: Database, call: () => Promise<unknown>, path?: (string | number)[]) {
  const error = await expectRefusedUnchanged(database, call, 'BAD_REQUEST');
  expect(error.httpStatus).toBe(400);
  if (path) expect((error.issues ?? []).map((i) => i.path)).toContainEqual(path);
  return error;
}
