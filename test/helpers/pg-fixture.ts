/**
 * A PostgreSQL workspace for CLI tests: a plan with one postgres source and
 * three local targets (3-2-1 holds), a shop schema that uses what real apps
 * use (foreign keys, sequences, an enum, a view, a function, indexes, bytea,
 * jsonb, a non-default owner), and ways to compare two databases by content.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runCli, type CliResult } from './cli.js';
import { pgTool, type PgServer } from './postgres.js';

export interface PgWorkspace {
  dir: string;
  plan: string;
  /** The CLI's environment on top of the test's: PGPASSWORD by default. */
  env: Record<string, string>;
  writePlan(source: Record<string, unknown>, extra?: Record<string, unknown>): void;
  cli(...args: string[]): Promise<CliResult>;
  cleanup(): void;
}

export function pgWorkspace(server: PgServer): PgWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'restorable-pgtest-'));
  for (const t of ['nas', 'usb', 'cloud']) mkdirSync(join(dir, 'targets', t), { recursive: true });
  const ws: PgWorkspace = {
    dir,
    plan: join(dir, 'restorable.yml'),
    writePlan(source, extra = {}) {
      const plan = {
        version: 1,
        name: 'pgapp',
        app: { version: '1.0.0' },
        sources: [{ name: 'pg', type: 'postgres', ...source }],
        targets: [
          { name: 'nas', type: 'local', path: join(dir, 'targets', 'nas') },
          { name: 'usb', type: 'local', path: join(dir, 'targets', 'usb') },
          { name: 'cloud', type: 'local', path: join(dir, 'targets', 'cloud'), medium: 'cloud-drive', offsite: true },
        ],
        compression: { algorithm: 'zstd' },
        ...extra,
      };
      writeFileSync(ws.plan, stringify(plan));
    },
    env: { ...server.env },
    cli: (...args) => runCli([...args, '--plan', ws.plan], { env: ws.env }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  return ws;
}

export const SHOP_SQL = `
create type order_state as enum ('new', 'paid', 'shipped');
create table customers (id serial primary key, email text not null unique, profile jsonb not null default '{}', avatar bytea);
create table products (id bigint generated always as identity primary key, name text not null, price numeric(10,2) not null check (price >= 0));
create table orders (id serial primary key, customer_id int not null references customers(id) on delete cascade, state order_state not null default 'new', placed_at timestamptz not null default now());
create table order_lines (order_id int references orders(id), product_id bigint references products(id), qty int not null, primary key (order_id, product_id));
create sequence invoice_no start 1000 increment 7;
create index orders_by_state on orders (state, placed_at);
create index customers_profile on customers using gin (profile);
create view order_totals as select o.id, sum(l.qty * p.price) as total from orders o join order_lines l on l.order_id = o.id join products p on p.id = l.product_id group by o.id;
create function next_invoice() returns bigint language sql as $$ select nextval('invoice_no') $$;
insert into customers (email, profile, avatar) select 'c' || i || '@example.com', jsonb_build_object('n', i, 'tags', jsonb_build_array('a', i % 3)), decode(md5(i::text) || md5((i * 7)::text), 'hex') from generate_series(1, 300) i;
insert into products (name, price) select 'product ' || i, (i % 50) + 0.99 from generate_series(1, 40) i;
insert into orders (customer_id, state, placed_at) select 1 + i % 300, (array['new','paid','shipped'])[1 + i % 3]::order_state, timestamptz '2026-01-01' + i * interval '1 hour' from generate_series(1, 900) i;
insert into order_lines select o, 1 + (o * 13) % 40, 1 + o % 4 from generate_series(1, 900) o;
select next_invoice(); select next_invoice();
`;

/** Creates `db` owned by `owner` (a non-default login role) and fills it with the shop schema as that role. */
export async function makeShop(server: PgServer, db: string, owner = 'shop_owner'): Promise<void> {
  await server.sql(`do $$ begin if not exists (select from pg_roles where rolname = '${owner}') then create role ${owner} login password 'owner-pw-123'; end if; end $$`);
  await server.sql(`create database ${db} owner ${owner}`);
  const client = await server.client(db);
  try {
    await client.query(`set role ${owner}`);
    await client.query(SHOP_SQL);
  } finally {
    await client.end();
  }
}

export function schemaOf(server: PgServer, db: string): string {
  return pgTool(server, 'pg_dump', ['--schema-only', '--no-password', `--dbname=host=${server.host} port=${server.port} user=postgres dbname=${db}`])
    .split('\n')
    .filter((line) => !line.startsWith('-- Dumped') && !line.startsWith('\\restrict') && !line.startsWith('\\unrestrict'))
    .join('\n');
}

/** Every user table's rows, in primary-key order, as text; plus sequence positions. */
export async function contentOf(server: PgServer, db: string): Promise<Record<string, string>> {
  const client = await server.client(db);
  try {
    const tables = (await client.query("select schemaname || '.' || tablename as t from pg_tables where schemaname not in ('pg_catalog','information_schema') order by 1")).rows.map((r) => String(r.t));
    const out: Record<string, string> = {};
    for (const t of tables) out[t] = JSON.stringify((await client.query(`select * from ${t} as r order by r::text`)).rows);
    for (const s of (await client.query("select schemaname || '.' || sequencename as s, last_value from pg_sequences order by 1")).rows) out[`seq ${String(s.s)}`] = String(s.last_value);
    return out;
  } finally {
    await client.end();
  }
}

export async function databases(server: PgServer): Promise<string[]> {
  return (await server.sql('select datname from pg_database where not datistemplate order by 1')).map((r) => String(r.datname));
}
