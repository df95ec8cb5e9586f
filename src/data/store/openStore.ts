/**
 * Opens the store the configuration selects: PostgreSQL when DATABASE_URL is set, else the embedded SQLite file.
 * The data plane and every CLI command that needs only the store open it here.
 */
import type { Config } from '../../config/config.ts';
import type { Store } from './port.ts';
import { openPostgresStore } from './postgres/postgresStore.ts';
import { openSqliteStore } from './sqlite/sqliteStore.ts';

/** Opens the configured store; `poolMax` overrides GALLEY_PG_POOL_MAX (short CLI commands need few connections). */
export function openConfiguredStore(config: Config, poolMax: number = config.pgPoolMax): Store {
  if (config.databaseUrl !== undefined)
    return openPostgresStore({ connectionString: config.databaseUrl, max: poolMax });
  return openSqliteStore({ filename: config.sqlitePath });
}
