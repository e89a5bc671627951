/**
 * Values read from the environment through `${VAR}`. They are redacted from
 * every line any reporter writes, and from error messages of libraries that
 * like to echo their inputs. Values shorter than 4 characters are not
 * redacted: masking them would garble every log and protect nothing.
 */
export class Secrets {
  private readonly values = new Set<string>();
  private readonly listeners: ((value: string) => void)[] = [];

  add(value: string): void {
    if (value.length < 4 || this.values.has(value)) return;
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
      const encoded = encodeURIComponent(value);
      if (encoded !== value) out = out.split(encoded).join('***');
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
