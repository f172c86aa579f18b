import { join } from 'node:path';
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';

/**
 * Bun macro: reads `drizzle/` when the importing module is transpiled and inlines the result,
 * so `bun server/index.ts` and the compiled binary run the same migrations without a folder on disk.
 * Import it `with { type: 'macro' }`; calling it at run time would need the folder again.
 */
export function embeddedMigrations(): MigrationMeta[] {
  return readMigrationFiles({ migrationsFolder: join(import.meta.dir, '../../drizzle') });
}
