/**
 * `globals.sql` (pg_dumpall --globals-only) read as data. The file comes from
 * a target, and anyone who can write there can rewrite it and its manifest:
 * none of its text is ever sent to a server. It is parsed into role
 * definitions, memberships and settings by a strict grammar of what
 * pg_dumpall 15-17 writes, one statement per line; anything else (a second
 * statement on a line, COPY, DO, CREATE FUNCTION, a psql `\!`...) refuses the
 * whole file. The statements a restore runs are built from the parsed values
 * with every name and value quoted here.
 */
// pg's quoting helpers alone: the client itself is loaded on first connection (pg-connection.ts).
import pgUtils from 'pg/lib/utils.js';
import { IntegrityError } from '../errors.js';

export interface RoleSetting {
  name: string;
  /** One value, or the elements of a list setting such as search_path. */
  values: string[];
}

export interface RoleDefinition {
  name: string;
  /** Keywords as written, e.g. LOGIN, NOSUPERUSER, INHERIT. */
  flags: string[];
  connectionLimit: number | undefined;
  /** A password hash (SCRAM-SHA-256$... or md5...), as pg_dumpall wrote it. */
  password: string | undefined;
  validUntil: string | undefined;
  comment: string | undefined;
  settings: RoleSetting[];
}

export interface Membership {
  /** The role granted. */
  role: string;
  member: string;
  /** ADMIN OPTION, and from PostgreSQL 16 INHERIT/SET TRUE|FALSE, as written. */
  options: string[];
  grantor: string | undefined;
}

export interface Globals {
  roles: RoleDefinition[];
  memberships: Membership[];
  /** Tablespaces are per server (their folders): named, never created. */
  tablespaces: string[];
  /** Privileges on configuration parameters (PostgreSQL 15+): named, never granted. */
  parameterGrants: string[];
  /** Role settings that load code into the server (`role: setting`): named, never set. */
  withheldSettings: string[];
}

type Token = { kind: 'word' | 'ident' | 'string' | 'number' | 'punct'; text: string; line: number };

const FLAGS = new Set(['SUPERUSER', 'INHERIT', 'CREATEROLE', 'CREATEDB', 'LOGIN', 'REPLICATION', 'BYPASSRLS'].flatMap((f) => [f, `NO${f}`]));
/** Settings that make the server load a library: from an artifact that is code, not data. */
const LOADS_CODE = /(^|_)preload_libraries$|^dynamic_library_path$/i;
/** The SET lines pg_dumpall writes at the top of the file; skipped. */
const SESSION_SETTINGS = new Set(['default_transaction_read_only', 'client_encoding', 'standard_conforming_strings']);

class Refusal extends Error {
  constructor(
    message: string,
    readonly line: number,
    /** The statement refused, when known: its first words go into the message. */
    public tokens?: Token[],
  ) {
    super(message);
  }
}

/** Splits the file into statements of tokens; refuses anything a globals dump never holds. */
function statements(text: string): Token[][] {
  const out: Token[][] = [];
  let current: Token[] = [];
  let line = 1;
  let lineEnded = true; // nothing but white space since the last `;` on this line
  let i = 0;
  const push = (kind: Token['kind'], value: string) => {
    if (!lineEnded && current.length === 0) throw new Refusal('a second statement on one line', line, out.at(-1));
    current.push({ kind, text: value, line });
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      lineEnded = true;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (text.startsWith('--', i)) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
    } else if (c === '\\') {
      // psql meta-commands: only pg_dump 15.14+'s \restrict and \unrestrict, alone on their line.
      const end = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
      const command = text.slice(i, end).trimEnd();
      const atLineStart = /(^|\n)[ \t]*$/.test(text.slice(0, i));
      if (!atLineStart || current.length > 0 || !/^\\(un)?restrict [A-Za-z0-9]+$/.test(command)) throw new Refusal('a psql meta-command other than \\restrict', line);
      i = end;
    } else if (c === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        const quote = text.indexOf("'", j);
        if (quote === -1) throw new Refusal('an unterminated string', line);
        value += text.slice(j, quote);
        if (text[quote + 1] === "'") {
          value += "'";
          j = quote + 2;
        } else {
          j = quote + 1;
          break;
        }
      }
      push('string', value);
      line += (text.slice(i, j).match(/\n/g) ?? []).length;
      i = j;
    } else if (c === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const quote = text.indexOf('"', j);
        if (quote === -1) throw new Refusal('an unterminated quoted name', line);
        value += text.slice(j, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          j = quote + 2;
        } else {
          j = quote + 1;
          break;
        }
      }
      if (value === '' || value.includes('\0')) throw new Refusal('an empty quoted name', line);
      push('ident', value);
      line += (text.slice(i, j).match(/\n/g) ?? []).length;
      i = j;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i, i + 200))![0];
      // E'...', U&"...", B'...': escape syntaxes pg_dumpall does not write.
      if (text[i + word.length] === "'" || text[i + word.length] === '"' || text[i + word.length] === '&') throw new Refusal('a prefixed string', line);
      push('word', word);
      i += word.length;
    } else if (/[0-9-]/.test(c)) {
      const number = /^-?[0-9]+(\.[0-9]+)?/.exec(text.slice(i, i + 40))?.[0];
      if (!number) throw new Refusal(`an unexpected character ${JSON.stringify(c)}`, line);
      push('number', number);
      i += number.length;
    } else if (c === ';') {
      if (current.length === 0) throw new Refusal('an empty statement', line);
      out.push(current);
      current = [];
      lineEnded = false;
      i++;
    } else if (c === ',' || c === '(' || c === ')' || c === '=') {
      push('punct', c);
      i++;
    } else {
      throw new Refusal(`an unexpected character ${JSON.stringify(c)}`, line);
    }
  }
  if (current.length > 0) throw new Refusal('a statement without its closing semicolon', current[0]!.line);
  return out;
}

/** Reads one statement's tokens in order; every expectation that fails refuses the file. */
class Reader {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}
  get line(): number {
    return this.tokens[0]!.line;
  }
  done(): boolean {
    return this.at >= this.tokens.length;
  }
  peek(offset = 0): Token | undefined {
    return this.tokens[this.at + offset];
  }
  isWord(...words: string[]): boolean {
    return words.every((w, k) => {
      const t = this.peek(k);
      return t?.kind === 'word' && t.text.toUpperCase() === w;
    });
  }
  acceptPunct(c: string): boolean {
    const t = this.peek();
    if (t?.kind !== 'punct' || t.text !== c) return false;
    this.at++;
    return true;
  }
  /** The next token whatever it is (a SET value). */
  any(): Token | undefined {
    return this.tokens[this.at++];
  }
  accept(...words: string[]): boolean {
    if (!this.isWord(...words)) return false;
    this.at += words.length;
    return true;
  }
  expect(...words: string[]): void {
    if (!this.accept(...words)) throw new Refusal(`expected ${words.join(' ')}`, this.line);
  }
  /** A role or setting name: quoted, or bare (folded to lower case as the server does). */
  name(): string {
    const t = this.tokens[this.at++];
    if (t?.kind === 'ident') return t.text;
    if (t?.kind === 'word') return t.text.toLowerCase();
    throw new Refusal('expected a name', this.line);
  }
  string(): string {
    const t = this.tokens[this.at++];
    if (t?.kind !== 'string') throw new Refusal('expected a quoted value', this.line);
    return t.text;
  }
  integer(): number {
    const t = this.tokens[this.at++];
    if (t?.kind !== 'number' || !/^-?[0-9]{1,9}$/.test(t.text)) throw new Refusal('expected a whole number', this.line);
    return Number(t.text);
  }
  word(): string {
    const t = this.tokens[this.at++];
    if (t?.kind !== 'word') throw new Refusal('expected a keyword', this.line);
    return t.text.toUpperCase();
  }
  end(): void {
    if (!this.done()) throw new Refusal('more after the end of the statement', this.line);
  }
  /** Skips to ON <kind> <name> (a privilege list) and returns what it names; only plain words and commas on the way. */
  privilegesOn(kind: string): string | undefined {
    const start = this.at;
    while (!this.done() && !this.isWord('ON')) {
      const t = this.tokens[this.at++]!;
      if (t.kind !== 'word' && !(t.kind === 'punct' && t.text === ',')) break;
    }
    if (this.accept('ON', kind)) return this.name();
    this.at = start;
    return undefined;
  }
}

function roleIn(globals: Globals, name: string, line: number): RoleDefinition {
  const role = globals.roles.find((r) => r.name === name);
  if (!role) throw new Refusal(`role ${JSON.stringify(name)} is changed before it is created`, line);
  return role;
}

function alterRole(r: Reader, globals: Globals): void {
  const role = roleIn(globals, r.name(), r.line);
  if (r.accept('SET')) {
    const name = r.name();
    r.expect('TO');
    const values = [r.string()];
    while (r.acceptPunct(',')) values.push(r.string());
    r.end();
    if (LOADS_CODE.test(name)) globals.withheldSettings.push(`${role.name}: ${name}`);
    else role.settings.push({ name, values });
    return;
  }
  r.expect('WITH');
  const seen = new Set<string>();
  const once = (what: string) => {
    if (seen.has(what)) throw new Refusal(`${what} given twice`, r.line);
    seen.add(what);
  };
  while (!r.done()) {
    if (r.accept('CONNECTION', 'LIMIT')) {
      once('CONNECTION LIMIT');
      role.connectionLimit = r.integer();
    } else if (r.accept('PASSWORD')) {
      once('PASSWORD');
      role.password = r.string();
    } else if (r.accept('VALID', 'UNTIL')) {
      once('VALID UNTIL');
      role.validUntil = r.string();
    } else {
      const flag = r.word();
      if (!FLAGS.has(flag)) throw new Refusal('an unknown role attribute', r.line);
      once(flag.replace(/^NO/, ''));
      role.flags.push(flag);
    }
  }
}

function grant(r: Reader, globals: Globals): void {
  const parameter = r.privilegesOn('PARAMETER');
  if (parameter !== undefined) {
    globals.parameterGrants.push(parameter);
    return; // the rest is never sent: its words need no checking beyond the tokenizer's
  }
  const space = r.privilegesOn('TABLESPACE');
  if (space !== undefined) {
    globals.tablespaces.push(space);
    return;
  }
  const role = r.name();
  r.expect('TO');
  const member = r.name();
  const options: string[] = [];
  if (r.accept('WITH')) {
    do {
      if (r.accept('ADMIN', 'OPTION')) options.push('ADMIN OPTION');
      else {
        const option = r.word();
        const value = r.word();
        if (!['ADMIN', 'INHERIT', 'SET'].includes(option) || !['TRUE', 'FALSE'].includes(value)) throw new Refusal('an unknown membership option', r.line);
        options.push(`${option} ${value}`);
      }
    } while (r.acceptPunct(','));
  }
  let grantor: string | undefined;
  if (r.accept('GRANTED', 'BY')) grantor = r.name();
  r.end();
  globals.memberships.push({ role, member, options, grantor });
}

function statement(r: Reader, globals: Globals): void {
  if (r.accept('SET')) {
    const name = r.name();
    if (!SESSION_SETTINGS.has(name)) throw new Refusal('an unknown SET', r.line);
    if (!r.acceptPunct('=')) throw new Refusal('expected =', r.line);
    const value = r.any();
    if (value?.kind !== 'word' && value?.kind !== 'string') throw new Refusal('expected a value', r.line);
    // With it off, backslashes in strings would be escapes that this reader does not apply.
    if (name === 'standard_conforming_strings' && value.text.toLowerCase() !== 'on') throw new Refusal('standard_conforming_strings off', r.line);
    r.end();
  } else if (r.accept('CREATE', 'ROLE')) {
    const name = r.name();
    r.end();
    if (globals.roles.some((x) => x.name === name)) throw new Refusal(`role ${JSON.stringify(name)} created twice`, r.line);
    globals.roles.push({ name, flags: [], connectionLimit: undefined, password: undefined, validUntil: undefined, comment: undefined, settings: [] });
  } else if (r.accept('ALTER', 'ROLE')) {
    alterRole(r, globals);
  } else if (r.accept('COMMENT', 'ON', 'ROLE')) {
    const role = roleIn(globals, r.name(), r.line);
    r.expect('IS');
    role.comment = r.string();
    r.end();
  } else if (r.accept('GRANT') || r.accept('REVOKE')) {
    grant(r, globals);
  } else if (r.accept('CREATE', 'TABLESPACE') || r.accept('ALTER', 'TABLESPACE') || r.accept('COMMENT', 'ON', 'TABLESPACE')) {
    globals.tablespaces.push(r.name()); // never created: the rest of the statement is not read
  } else {
    throw new Refusal('a statement that is not a role, membership or tablespace', r.line);
  }
}

/** What a refused statement starts with, for the message: its first words only (never a password). */
function opening(tokens: Token[] | undefined): string {
  if (!tokens) return '';
  const words = tokens.slice(0, 3).map((t) => (t.kind === 'word' ? t.text : t.kind === 'ident' ? `"${t.text.slice(0, 20)}"` : t.kind === 'string' ? "'...'" : t.text));
  return ` (${words.join(' ')}${tokens.length > 3 ? ' ...' : ''})`;
}

/**
 * Parses a globals dump. Throws an IntegrityError naming the first line that
 * is not what pg_dumpall writes: nothing of such a file may be used.
 */
export function parseGlobals(text: string, what = 'globals.sql'): Globals {
  const globals: Globals = { roles: [], memberships: [], tablespaces: [], parameterGrants: [], withheldSettings: [] };
  try {
    for (const tokens of statements(text)) {
      try {
        statement(new Reader(tokens), globals);
      } catch (error) {
        if (error instanceof Refusal) error.tokens ??= tokens;
        throw error;
      }
    }
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    const shown = opening(error.tokens);
    throw new IntegrityError(`${what} is not a pg_dumpall globals dump: line ${error.line} holds ${error.message}${shown}. Nothing was restored.`, {
      hint: 'A globals dump holds only roles, their settings and memberships, and tablespaces. This file was changed after the backup (or made by something else): restore another backup (--backup ID), and check who can write to the target.',
    });
  }
  return globals;
}

const { escapeIdentifier: id, escapeLiteral: literal } = pgUtils;

/** The statements that create `role` with its attributes, settings and comment, every name and value quoted. */
export function createRoleStatements(role: RoleDefinition): string[] {
  const options = [...role.flags];
  if (role.connectionLimit !== undefined) options.push(`CONNECTION LIMIT ${role.connectionLimit}`);
  if (role.password !== undefined) options.push(`PASSWORD ${literal(role.password)}`);
  if (role.validUntil !== undefined) options.push(`VALID UNTIL ${literal(role.validUntil)}`);
  const statements = [`CREATE ROLE ${id(role.name)}${options.length > 0 ? ` WITH ${options.join(' ')}` : ''}`];
  for (const s of role.settings) statements.push(`ALTER ROLE ${id(role.name)} SET ${id(s.name)} TO ${s.values.map(literal).join(', ')}`);
  if (role.comment !== undefined) statements.push(`COMMENT ON ROLE ${id(role.name)} IS ${literal(role.comment)}`);
  return statements;
}

export function grantStatement(m: Membership): string {
  const options = m.options.length > 0 ? ` WITH ${m.options.join(', ')}` : '';
  return `GRANT ${id(m.role)} TO ${id(m.member)}${options}${m.grantor !== undefined ? ` GRANTED BY ${id(m.grantor)}` : ''}`;
}
