import { describe, expect, it } from 'vitest';
import { childEnv, conninfo, parseConnection } from '../../src/sources/pg-connection.js';
import { explainToolError } from '../../src/sources/pg-tools.js';
import { besideName } from '../../src/sources/pg-restore.js';

describe('PostgreSQL connection settings', () => {
  it('keeps the password out of the conninfo and puts it in the child environment only', () => {
    const conn = parseConnection({ url: 'postgres://app:s3cr%40t-pw@db.example.net:6543/shop?sslmode=verify-full&sslrootcert=/etc/ca.pem' });
    const info = conninfo(conn);
    expect(info).toBe("host='db.example.net' port='6543' user='app' dbname='shop'");
    expect(info).not.toContain('s3cr');
    const env = childEnv(conn, {});
    expect(env).toEqual({ PGPASSWORD: 's3cr@t-pw', PGSSLMODE: 'verify-full', PGSSLROOTCERT: '/etc/ca.pem' });
  });

  it('fields override the URL; without a URL password PGPASSWORD is inherited as it is', () => {
    const conn = parseConnection({ url: 'postgresql://app@h1/one', host: 'h2', database: 'two', sslmode: 'require' });
    expect(conninfo(conn)).toBe("host='h2' user='app' dbname='two'");
    expect(childEnv(conn, { PGPASSWORD: 'from-env' })).toEqual({ PGPASSWORD: 'from-env', PGSSLMODE: 'require' });
  });

  it('quotes database names so that none is read as a URL or as more settings', () => {
    const conn = parseConnection({ host: '/run/postgresql', database: "x' host='evil" });
    expect(conninfo(conn)).toBe("host='/run/postgresql' dbname='x\\' host=\\'evil'");
  });
});

describe('names beside the live database', () => {
  it('fit in 63 bytes, cutting the database name and never the tag', () => {
    const name = besideName('é'.repeat(40), 'before', '20261122T021500Z-3f9a1c');
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    expect(name.endsWith('_before_20261122t021500z_3f9a1c')).toBe(true);
    expect(besideName('shop', 'new', '20261122T021500Z-3f9a1c')).toBe('shop_new_20261122t021500z_3f9a1c');
  });

  it('stay distinct for long names that differ only past the cut', () => {
    const [a, b] = ['tenant_' + 'x'.repeat(40) + '_01', 'tenant_' + 'x'.repeat(40) + '_02'];
    const names = [a, b].map((db) => besideName(db, 'before', '20261122T021500Z-3f9a1c'));
    expect(names[0]).not.toBe(names[1]);
    for (const name of names) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
  });
});

describe('pg tool errors', () => {
  it('name the table a dump failed on, and say what to do', () => {
    const stderr = 'pg_dump: error: Dumping the contents of table "accounts" failed: PQgetCopyData() failed.\npg_dump: detail: Error message from server: server closed the connection unexpectedly';
    const { message, hint } = explainToolError('pg_dump', stderr, 'exit 1');
    expect(message).toMatch(/^pg_dump failed \(exit 1\) while dumping table accounts: /);
    expect(hint).toMatch(/The server ended the connection during the dump/);
  });
});
