/**
 * Values read from the environment through `${VAR}`. They are redacted from
 * every line any reporter writes, and from error messages of libraries that
 * like to echo their inputs. Values shorter than 4 characters are not
 * redacted: masking them would garble every log and protect nothing.
 */
export class Secrets {
  private readonly values = new Set<string>();

  add(value: string): void {
    if (value.length >= 4) this.values.add(value);
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
}
