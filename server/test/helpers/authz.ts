import { describe, expect, test } from 'bun:test';
import type { Database } from '../../db/client.ts';
import type { Account } from './clients.ts';
import { HTTP_STATUS, type WireError } from './errors.ts';
import { expectRefusedUnchanged } from './snapshot.ts';

/**
 * The authorization-matrix harness: every procedure × every role, one test per cell, each on a
 * fresh fixture. A cell expected to be refused must fail with exactly that code and the HTTP
 * status tRPC gives it, with every table of the database unchanged (helpers/snapshot.ts); a cell
 * expected to succeed hands its result to the case's `check`, which asserts the exact result and
 * re-reads its effect.
 *
 * Usage, for a group-scoped feature (roles outsider / member / admin / owner of a Cast):
 *
 *   let server: TestServer; let cast: Cast;
 *   beforeAll(async () => { server = await startTestServer(); cast = await registerCast(server); });
 *   authzMatrix({
 *     roles: ROLES,
 *     fixture: () => createGroupFixture(cast, 'boards'),    // fresh per cell
 *     account: (role) => cast[role],
 *     database: () => server.database,
 *   }, {
 *     'boards.create': {
 *       expect: MEMBERS,                                     // or MANAGERS, OWNER_ONLY, { outsider: 'NOT_FOUND', ... }
 *       run: (me, f) => me.client.boards.create.mutate({ group_id: f.group.id, name: 'b' }),
 *       async check(board, f, me) { expect(board).toEqual({ ... }); ... re-read it ... },
 *     },
 *   });
 *
 * Roles are any strings: the messaging suites use author / other / admin / owner, the DM suite
 * author / recipient / third. `onRefusal` adds assertions to every refusal (e.g. that a NOT_FOUND
 * leaks no id); `skip` leaves out cells another test covers. Tests are named
 * `<procedure> > as <role>: <expected>`.
 */

/** What a cell expects: success, or a refusal with exactly this code. */
export type Outcome = 'ok' | 'NOT_FOUND' | 'FORBIDDEN' | 'UNAUTHORIZED' | 'BAD_REQUEST' | 'CONFLICT';

export interface MatrixCase<Role extends string, F> {
  expect: Record<Role, Outcome>;
  /** Prepares what the call needs (e.g. an invite) and makes the call as `me`. */
  run(me: Account, f: F, role: Role): Promise<unknown>;
  /** Checks the result and its effect when the call is allowed. */
  check(result: any, f: F, me: Account, role: Role): Promise<void> | void;
}

export interface MatrixOptions<Role extends string, F> {
  roles: readonly Role[];
  /** A fresh fixture for one cell. */
  fixture(): Promise<F>;
  /** The account that plays `role` in fixture `f`. */
  account(role: Role, f: F): Account;
  /** The database a refusal must leave unchanged (a function: servers start in `beforeAll`). */
  database(): Database;
  /** Extra assertions on every refusal. */
  onRefusal?(error: WireError, cell: { procedure: string; role: Role; expected: Outcome; f: F }): void | Promise<void>;
  /** Cells to leave out (covered elsewhere). */
  skip?(procedure: string, role: Role): boolean;
}

/** A cell builds a fixture and snapshots every table twice: room for a loaded machine (bun's default is 5 s). */
const CELL_TIMEOUT_MS = 30_000;

/** Declares one `describe` per procedure and one test per role (see the top of this file). */
export function authzMatrix<Role extends string, F>(opts: MatrixOptions<Role, F>, cases: Record<string, MatrixCase<Role, F>>): void {
  for (const [procedure, c] of Object.entries(cases)) {
    describe(procedure, () => {
      for (const role of opts.roles) {
        if (opts.skip?.(procedure, role)) continue;
        const expected = c.expect[role];
        test(
          `as ${role}: ${expected}`,
          async () => {
            const f = await opts.fixture();
            const me = opts.account(role, f);
            if (expected === 'ok') {
              await c.check(await c.run(me, f, role), f, me, role);
              return;
            }
            const error = await expectRefusedUnchanged(opts.database(), () => c.run(me, f, role), expected);
            expect(error.httpStatus).toBe(HTTP_STATUS[expected]!);
            await opts.onRefusal?.(error, { procedure, role, expected, f });
          },
          CELL_TIMEOUT_MS,
        );
      }
    });
  }
}

/** Group roles: members only (an outsider learns nothing: NOT_FOUND). */
export const MEMBERS = { outsider: 'NOT_FOUND', member: 'ok', admin: 'ok', owner: 'ok' } as const;
/** Group roles: admins and the owner; plain members are FORBIDDEN. */
export const MANAGERS = { outsider: 'NOT_FOUND', member: 'FORBIDDEN', admin: 'ok', owner: 'ok' } as const;
/** Group roles: the owner alone. */
export const OWNER_ONLY = { outsider: 'NOT_FOUND', member: 'FORBIDDEN', admin: 'FORBIDDEN', owner: 'ok' } as const;
