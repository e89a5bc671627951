/**
 * globals.sql read as data: a real pg_dumpall 15 --globals-only output
 * (test/fixtures/pg15-globals.sql, made on this machine with roles of every
 * kind, quoted names, settings, comments, parameter grants and a tablespace)
 * parses into what the server holds, and the statements built from it quote
 * every name and value. Forged files are refused whole.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../../src/errors.js';
import { createRoleStatements, grantStatement, parseGlobals } from '../../src/sources/pg-globals.js';

const real = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'pg15-globals.sql'), 'utf8');

const HEAD = 'SET default_transaction_read_only = off;\nSET client_encoding = \'UTF8\';\nSET standard_conforming_strings = on;\nCREATE ROLE approle;\n';
const ALTER = 'ALTER ROLE approle WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS';

function refused(text: string): IntegrityError {
  try {
    parseGlobals(text);
  } catch (error) {
    expect(error).toBeInstanceOf(IntegrityError);
    expect((error as IntegrityError).exitCode).toBe(5);
    return error as IntegrityError;
  }
  throw new Error(`accepted:\n${text}`);
}

describe('parseGlobals on real pg_dumpall output', () => {
  it('reads every role, attribute, setting, comment and membership', () => {
    const g = parseGlobals(real);
    expect(g.roles.map((r) => r.name)).toEqual(['UPPER', 'app', 'grp', 'noinh', 'postgres', 'we"ird role']);
    const app = g.roles.find((r) => r.name === 'app')!;
    expect(app).toMatchObject({
      flags: ['NOSUPERUSER', 'INHERIT', 'NOCREATEROLE', 'NOCREATEDB', 'LOGIN', 'NOREPLICATION', 'NOBYPASSRLS'],
      connectionLimit: 5,
      password: expect.stringMatching(/^SCRAM-SHA-256\$4096:/),
      validUntil: '2030-01-01 00:00:00+00',
      comment: "it's the app",
      settings: [{ name: 'search_path', values: ['a, b'] }],
    });
    expect(g.roles.find((r) => r.name === 'grp')!.settings).toEqual([{ name: 'search_path', values: ['$user', 'public', 'Odd"s'] }]);
    expect(g.roles.find((r) => r.name === 'noinh')!.settings).toEqual([
      { name: 'work_mem', values: ['64MB'] },
      { name: 'statement_timeout', values: ['5000'] },
    ]);
    expect(g.roles.find((r) => r.name === 'we"ird role')!.settings).toEqual([{ name: 'my.opt', values: ['x'] }]);
    expect(g.memberships).toEqual([
      { role: 'grp', member: 'app', options: ['ADMIN OPTION'], grantor: 'postgres' },
      { role: 'grp', member: 'we"ird role', options: [], grantor: 'app' },
      { role: 'pg_read_all_data', member: 'app', options: [], grantor: 'postgres' },
    ]);
    expect(g.parameterGrants).toEqual(['log_statement', 'work_mem']);
    expect(new Set(g.tablespaces)).toEqual(new Set(['ts']));
  });

  it('builds statements with every name and value quoted', () => {
    const g = parseGlobals(real);
    const app = g.roles.find((r) => r.name === 'app')!;
    expect(createRoleStatements(app)).toEqual([
      `CREATE ROLE "app" WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 5 PASSWORD '${app.password}' VALID UNTIL '2030-01-01 00:00:00+00'`,
      `ALTER ROLE "app" SET "search_path" TO 'a, b'`,
      `COMMENT ON ROLE "app" IS 'it''s the app'`,
    ]);
    expect(createRoleStatements(g.roles.find((r) => r.name === 'grp')!)[1]).toBe(`ALTER ROLE "grp" SET "search_path" TO '$user', 'public', 'Odd"s'`);
    expect(grantStatement(g.memberships[0]!)).toBe('GRANT "grp" TO "app" WITH ADMIN OPTION GRANTED BY "postgres"');
    expect(grantStatement(g.memberships[1]!)).toBe('GRANT "grp" TO "we""ird role" GRANTED BY "app"');
  });

  it('reads PostgreSQL 16 membership options and a dump without passwords', () => {
    const g = parseGlobals(`${HEAD}${ALTER};\nCREATE ROLE grp;\nGRANT grp TO approle WITH ADMIN OPTION, INHERIT FALSE, SET TRUE GRANTED BY postgres;\n`);
    expect(g.roles[0]!.password).toBeUndefined();
    expect(grantStatement(g.memberships[0]!)).toBe('GRANT "grp" TO "approle" WITH ADMIN OPTION, INHERIT FALSE, SET TRUE GRANTED BY "postgres"');
  });

  it('holds back settings that load libraries', () => {
    const g = parseGlobals(`${HEAD}ALTER ROLE approle SET session_preload_libraries TO '/tmp/evil';\nALTER ROLE approle SET work_mem TO '4MB';\n`);
    expect(g.withheldSettings).toEqual(['approle: session_preload_libraries']);
    expect(g.roles[0]!.settings).toEqual([{ name: 'work_mem', values: ['4MB'] }]);
  });

  it('a name or value holding quotes and semicolons stays one name or value', () => {
    const g = parseGlobals(`SET standard_conforming_strings = on;\nCREATE ROLE "x""; DROP ROLE postgres; --";\nALTER ROLE "x""; DROP ROLE postgres; --" WITH LOGIN PASSWORD 'a''; DROP TABLE t; --';\n`);
    const [create] = createRoleStatements(g.roles[0]!);
    expect(g.roles[0]!.name).toBe('x"; DROP ROLE postgres; --');
    expect(create).toBe(`CREATE ROLE "x""; DROP ROLE postgres; --" WITH LOGIN PASSWORD 'a''; DROP TABLE t; --'`);
  });
});

describe('parseGlobals refuses forged files whole', () => {
  const forged: [string, string, RegExp][] = [
    ['a second statement after ALTER ROLE (the issue 18 line)', `${ALTER}; CREATE ROLE pwned; COPY (SELECT 1) TO PROGRAM 'id > pwned.txt';\n`, /second statement on one line/],
    ['COPY on its own line', "COPY (SELECT 1) TO PROGRAM 'id > pwned.txt';\n", /not a role, membership or tablespace/],
    ['DO block', "DO $$ BEGIN PERFORM 1; END $$;\n", /unexpected character|not a role/],
    ['CREATE FUNCTION', "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1';\n", /not a role, membership or tablespace/],
    ['psql shell escape', '\\! id > pwned.txt\n', /meta-command/],
    ['psql meta-command after a statement', `${ALTER}; \\! id\n`, /meta-command/],
    ['\\restrict with more after it', '\\restrict abc; \\! id\n', /meta-command/],
    ['an unknown role attribute', `${ALTER} SYSID 10;\n`, /unknown role attribute/],
    ['an attribute given twice', `${ALTER} LOGIN;\n`, /given twice/],
    ['more after a GRANT', 'CREATE ROLE grp;\nGRANT grp TO approle GRANTED BY postgres, pwned;\n', /more after the end/],
    ['a SET that is not pg_dumpall\'s', "SET role = 'postgres';\n", /unknown SET/],
    ['standard_conforming_strings off', 'SET standard_conforming_strings = off;\n', /standard_conforming_strings off/],
    ['an E string', "ALTER ROLE approle WITH PASSWORD E'x\\\\';\n", /prefixed string/],
    ['a block comment', '/* hi */\n', /unexpected character/],
    ['an unterminated string', "ALTER ROLE approle WITH PASSWORD 'x;\n", /unterminated/],
    ['no closing semicolon', 'CREATE ROLE late', /closing semicolon/],
    ['ALTER of a role never created', 'ALTER ROLE ghost WITH LOGIN;\n', /changed before it is created/],
    ['ALTER ROLE ... IN DATABASE', "ALTER ROLE approle IN DATABASE postgres SET work_mem TO '1MB';\n", /expected WITH/],
    ['SECURITY LABEL', "SECURITY LABEL ON ROLE approle IS 'x';\n", /not a role, membership or tablespace/],
  ];
  for (const [name, text, message] of forged) {
    it(name, () => {
      const error = refused(text.startsWith('CREATE ROLE') || text.startsWith('SET') || text.startsWith('\\') || text.startsWith('/*') ? text : HEAD + text);
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/Nothing was restored/);
      expect(error.hint).toMatch(/changed after the backup/);
    });
  }

  it('never echoes a password in its message', () => {
    const error = refused(`${HEAD}ALTER ROLE approle WITH PASSWORD 'SCRAM-SHA-256$4096:secretsalt' LOGIN FUTUREFLAG;\n`);
    expect(error.message).toMatch(/line 5/);
    expect(error.message).not.toContain('secretsalt');
  });
});
