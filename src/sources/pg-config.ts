/**
 * A `type: postgres` source's plan entry: where the server is (url or
 * host/port/user/database, TLS, a command prefix to run the tools through)
 * and what to dump. Apart from the code that connects, so that checking a
 * plan loads no PostgreSQL client.
 */
import { z } from 'zod';
import { clockDuration } from '../util/duration.js';
import { sourceBase } from './source.js';

export const tlsFields = {
  sslmode: z.enum(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']).optional(),
  sslrootcert: z.string().min(1).optional(),
  sslcert: z.string().min(1).optional(),
  sslkey: z.string().min(1).optional(),
};

export const connectionFields = {
  /** postgres://user:${PASSWORD}@host:5432/db?sslmode=require */
  url: z.string().regex(/^postgres(ql)?:\/\//, { error: 'expected a postgres:// or postgresql:// URL' }).optional(),
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  user: z.string().min(1).optional(),
  database: z.string().min(1).optional(),
  ...tlsFields,
  /**
   * A command prefix that pg_dump, pg_restore and psql run through, where the
   * server is (`[docker, exec, -i, immich_postgres]`, `[ssh, db-host]`): host,
   * port and paths are then as seen there, and every SQL statement goes through
   * psql too. The password is in the prefixed process's environment only.
   */
  exec: z.array(z.string().min(1)).min(1, { error: 'expected a command prefix as an argument array, e.g. [docker, exec, -i, immich_postgres]' }).optional(),
};

export const postgresConfig = z
  .strictObject({
    ...sourceBase,
    type: z.literal('postgres'),
    ...connectionFields,
    /** Which databases: the connection's one (default), a list, or every database that accepts connections. */
    databases: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).optional(),
    format: z.enum(['custom', 'directory']).default('custom'),
    /** Parallel pg_dump/pg_restore workers; directory format only. */
    jobs: z.number().int().min(1).max(64).default(1),
    /** Roles and tablespaces too (pg_dumpall --globals-only). */
    globals: z.boolean().default(false),
    schema_version: z.strictObject({ sql: z.string().min(1) }).optional(),
    /** A folder holding pg_dump, pg_restore and pg_dumpall to use instead of the ones found. */
    bin_dir: z.string().min(1).optional(),
    /** How long pg_dump waits for a table lock (held by a migration, say) before it fails, e.g. `30s`. Default: forever. */
    lock_wait_timeout: clockDuration.optional(),
    /** Where restorable connects to create, rename and drop databases. */
    maintenance_database: z.string().min(1).default('postgres'),
  })
  .refine((c) => c.jobs === 1 || c.format === 'directory', { error: 'jobs > 1 needs format: directory (a custom-format dump is written by one process)', path: ['jobs'] })
  .refine((c) => c.exec === undefined || c.format === 'custom', { error: 'exec needs format: custom (a directory-format dump is a folder where the tools run, which restorable cannot stream)', path: ['format'] })
  .refine((c) => containerExecFlags(c.exec).interactive, { error: 'docker and podman exec need -i here: pg_restore and psql read their standard input', path: ['exec'] })
  .refine((c) => !containerExecFlags(c.exec).tty, { error: 'no -t in exec: a terminal between the tools and restorable would rewrite the bytes of the dump', path: ['exec'] });

/** For `docker exec` / `podman exec` prefixes, whether -i and -t are given (alone or combined, e.g. -it); other prefixes pass. */
function containerExecFlags(exec: readonly string[] | undefined): { interactive: boolean; tty: boolean } {
  if (!exec || !/(^|\/)(docker|podman|nerdctl)$/.test(exec[0] ?? '') || exec[1] !== 'exec') return { interactive: true, tty: false };
  const flags = exec.slice(2).filter((a) => /^-[a-zA-Z]+$/.test(a)).join('');
  const long = exec.slice(2);
  return { interactive: flags.includes('i') || long.includes('--interactive'), tty: flags.includes('t') || long.includes('--tty') };
}
export type PgSourceConfig = z.infer<typeof postgresConfig>;
