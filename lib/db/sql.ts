// A tagged template for SQL text with bound parameters. Every interpolated
// value becomes a parameter numbered where the statement is finally rendered,
// so fragments built in different files compose without anyone counting `$n`
// by hand, and no value is ever spliced into the text.

/** A piece of SQL: text with the parameters it binds, in order. */
export class Sql {
  /** Alternating text and values: `texts.length === values.length + 1`. */
  private constructor(
    private readonly texts: readonly string[],
    private readonly boundValues: readonly unknown[],
  ) {}

  /** @internal Use the `sql` tag, `sql.join` or `sql.raw`. */
  static build(strings: readonly string[], interpolated: readonly unknown[]): Sql {
    const texts: string[] = [strings[0] ?? ""];
    const values: unknown[] = [];
    const appendText = (text: string) => {
      texts[texts.length - 1] = texts[texts.length - 1]! + text;
    };
    interpolated.forEach((value, i) => {
      const after = strings[i + 1] ?? "";
      if (value instanceof Sql) {
        // A nested fragment: its text joins ours; its values keep their order.
        appendText(value.texts[0]!);
        for (let j = 0; j < value.boundValues.length; j += 1) {
          values.push(value.boundValues[j]);
          texts.push(value.texts[j + 1]!);
        }
        appendText(after);
      } else {
        values.push(value);
        texts.push(after);
      }
    });
    return new Sql(texts, values);
  }

  /** The statement text, parameters numbered from $1 in order of appearance. */
  get text(): string {
    let text = this.texts[0]!;
    for (let i = 1; i < this.texts.length; i += 1) text += `$${i}${this.texts[i]}`;
    return text;
  }

  /** The parameters, in the order of their numbers in `text`. */
  get values(): unknown[] {
    return [...this.boundValues];
  }
}

/** `sql\`SELECT … WHERE id = ${id}\``: values become parameters; nested `sql` fragments compose. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  return Sql.build(strings, values);
}

/** Fragments joined by a separator (plain SQL text, e.g. " AND "). An empty list is empty SQL. */
sql.join = function join(fragments: readonly Sql[], separator: string): Sql {
  const strings = ["", ...fragments.slice(1).map(() => separator), ""];
  return Sql.build(fragments.length === 0 ? [""] : strings, fragments);
};

/**
 * SQL text spliced in as it is: ONLY for trusted constants written in this
 * code (a column name, a sort direction, a keyword), never for input. Anything
 * that comes from a request or the database is a value: interpolate it.
 */
sql.raw = function raw(text: string): Sql {
  return Sql.build([text], []);
};

/** A quoted identifier (column or table name) from a trusted constant. */
sql.identifier = function identifier(name: string): Sql {
  return sql.raw(`"${name.replace(/"/g, '""')}"`);
};

/** Empty SQL, for an optional part of a statement. */
sql.empty = Sql.build([""], []);
