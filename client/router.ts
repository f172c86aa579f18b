/**
 * The router type the client is typed with. In the repository it is the server's own; the built
 * package ships a declaration generated from it (scripts/build-client.ts) that names no server
 * file, so a frontend's type-check never reaches server code.
 */
export type { AppRouter } from '../server/routers/index.ts';
