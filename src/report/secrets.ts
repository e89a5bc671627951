/**
 * Values read from the environment through `${VAR}`, the standard secret
 * variables below when set, and keys read at run time (age identities). They
 * are redacted from every line any reporter writes, which includes error
 * messages of libraries that like to echo their inputs. Values shorter than 4
 * characters are not redacted: masking them would garble every log and
 * protect nothing (a plan passphrase must be 12 or more; see rules.ts).
 */
export const SECRET_ENV = [
  'PGPASSWORD',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'RESTORABLE_AGE_IDENTITY',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
] as const;

export class Secrets {
  private readonly values = new Set<string>();
  private readonly listeners: ((value: string) => void)[] = [];

  add(value: string): void {
    if (value.length < 4 || this.values.has(value)) return;
    this.record(value);
    // A multi-line secret (a PEM private key) may be echoed a line at a time.
    if (value.includes('\n')) for (const line of value.split(/\r?\n/)) if (line.trim().length >= 4) this.record(line.trim());
  }

  private record(value: string): void {
    if (this.values.has(value)) return;
    this.values.add(value);
    for (const listener of this.listeners) listener(value);
  }

  /**
   * Calls `listener` for every value, those known now and each one added
   * later, synchronously inside add(): the Action registers masks with the
   * runner this way before anything could print a value.
   */
  onAdd(listener: (value: string) => void): void {
    this.listeners.push(listener);
    for (const value of this.values) listener(value);
  }

  /** Registers the standard secret variables that are set in `env`. */
  addEnv(env: NodeJS.ProcessEnv): void {
    for (const name of SECRET_ENV) {
      const value = env[name];
      // RESTORABLE_AGE_IDENTITY may hold a path instead of the key: a path is no secret, and naming it helps.
      if (value && !(name === 'RESTORABLE_AGE_IDENTITY' && !value.includes('AGE-SECRET-KEY-'))) this.add(value);
    }
  }

  get size(): number {
    return this.values.size;
  }

  list(): string[] {
    return [...this.values];
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is masked whole.
    for (const value of [...this.values].sort((a, b) => b.length - a.length)) {
      out = out.split(value).join('***');
      // As it appears once escaped: in a URL, or inside JSON (a command array in an error message).
      for (const form of [encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]) if (form !== value) out = out.split(form).join('***');
    }
    return out;
  }

  /** A deep copy with every string redacted: redact before JSON.stringify, whose escaping would hide a secret. */
  redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((item) => this.redactValue(item)) as T;
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactValue(v)])) as T;
    }
    return value;
  }
}
