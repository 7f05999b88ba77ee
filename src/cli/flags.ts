/**
 * A small strict command-line parser, so the CLI needs no dependency and every mistake gets a
 * message naming the flag.
 *
 * Accepted: `--name value`, `--name=value`, boolean switches `--json` (no value), repeatable flags
 * (`--set a=1 --set b=2`), `--help`/`-h` anywhere, and positional arguments where a command
 * declares them. Refused, each with its own message: an unknown flag (with a "did you mean" when
 * one is close), a missing value, a value given to a switch, a non-repeatable flag given twice, a
 * bad integer, a missing required flag, an unexpected positional argument.
 */
import { UsageError } from '../util/errors.js';

export type FlagKind = 'string' | 'integer' | 'switch' | 'repeatable';

export interface FlagSpec {
  readonly kind: FlagKind;
  readonly description: string;
  /** Placeholder shown in help (`--model ID`). */
  readonly value?: string;
  readonly required?: boolean;
  /** Shown in help only; commands apply their own defaults. */
  readonly defaultText?: string;
}

export interface CommandSpec {
  /** As typed after `heed`, e.g. `evaluate` or `data fetch`. */
  readonly name: string;
  readonly summary: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  readonly positionals?: ReadonlyArray<{ readonly name: string; readonly description: string }>;
  readonly examples?: readonly string[];
}

export class ParsedArgs {
  constructor(
    readonly command: CommandSpec,
    private readonly values: ReadonlyMap<string, string | string[] | true>,
    readonly positionals: readonly string[],
    readonly help: boolean,
  ) {}

  has(name: string): boolean {
    return this.values.has(name);
  }

  string(name: string): string | undefined {
    this.declared(name, 'string');
    const v = this.values.get(name);
    return typeof v === 'string' ? v : undefined;
  }

  requireString(name: string): string {
    const v = this.string(name);
    if (v === undefined)
      throw new UsageError(`${this.where()} needs --${name} ${this.command.flags[name].value ?? 'VALUE'}`);
    return v;
  }

  integer(name: string): number | undefined {
    this.declared(name, 'integer');
    const v = this.values.get(name);
    return typeof v === 'string' ? Number(v) : undefined;
  }

  switch(name: string): boolean {
    this.declared(name, 'switch');
    return this.values.get(name) === true;
  }

  list(name: string): string[] {
    this.declared(name, 'repeatable');
    const v = this.values.get(name);
    return Array.isArray(v) ? v : [];
  }

  /** A comma-separated string flag (`--models a,b`) as its trimmed items; undefined when absent or empty. */
  commaList(name: string): string[] | undefined {
    const items = (this.string(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    return items.length > 0 ? items : undefined;
  }

  /** A repeatable `key=value` flag (`--set`) as a record; a key given twice is an error. */
  keyValues(name: string): Record<string, string> {
    return parseKeyValues(this.list(name), name);
  }

  private where(): string {
    return `heed ${this.command.name}`;
  }

  private declared(name: string, kind: FlagKind): void {
    const spec = this.command.flags[name];
    if (spec === undefined || spec.kind !== kind) {
      // A programming error in a command, not a user error.
      throw new Error(`heed ${this.command.name}: flag --${name} is not declared as ${kind}`);
    }
  }
}

/** Parses the arguments that follow the command name. */
export function parseArgs(argv: readonly string[], command: CommandSpec): ParsedArgs {
  const values = new Map<string, string | string[] | true>();
  const positionals: string[] = [];
  let help = false;
  const where = `heed ${command.name}`;
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      throw new UsageError(
        `unknown flag ${arg} for ${where} (flags are written --name; see ${where} --help)`,
      );
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = Object.hasOwn(command.flags, name) ? command.flags[name] : undefined;
    if (spec === undefined) {
      const close = closest(name, Object.keys(command.flags));
      const hint = close === undefined ? '' : ` (did you mean --${close}?)`;
      throw new UsageError(`unknown flag --${name} for ${where}${hint}; see ${where} --help`);
    }
    if (spec.kind === 'switch') {
      if (eq >= 0) throw new UsageError(`flag --${name} takes no value (got "${arg.slice(eq + 1)}")`);
      values.set(name, true);
      continue;
    }
    let value: string;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[k + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new UsageError(`flag --${name} needs a value (${where} --${name} ${spec.value ?? 'VALUE'})`);
      }
      value = next;
      k++;
    }
    if (spec.kind === 'integer' && !/^-?\d+$/.test(value.trim())) {
      throw new UsageError(`flag --${name} must be an integer, got "${value}"`);
    }
    if (spec.kind === 'repeatable') {
      const list = values.get(name);
      if (Array.isArray(list)) list.push(value);
      else values.set(name, [value]);
      continue;
    }
    if (values.has(name)) throw new UsageError(`flag --${name} is given twice`);
    values.set(name, spec.kind === 'integer' ? value.trim() : value);
  }
  if (!help) {
    const allowed = command.positionals?.length ?? 0;
    if (positionals.length > allowed) {
      throw new UsageError(
        `unexpected argument "${positionals[allowed]}" for ${where}` +
          (allowed === 0 ? ' (it takes only flags; see --help)' : ''),
      );
    }
    for (const [name, spec] of Object.entries(command.flags)) {
      if (spec.required && !values.has(name)) {
        throw new UsageError(`${where} needs --${name} ${spec.value ?? 'VALUE'} (see ${where} --help)`);
      }
    }
  }
  return new ParsedArgs(command, values, positionals, help);
}

/** The `--help` text of a command. */
export function helpText(command: CommandSpec): string {
  const positional = (command.positionals ?? []).map((p) => ` ${p.name}`).join('');
  const lines = [`heed ${command.name}${positional} [flags]`, '', command.summary, ''];
  if (command.positionals && command.positionals.length > 0) {
    lines.push('Arguments:');
    for (const p of command.positionals) lines.push(`  ${p.name.padEnd(26)} ${p.description}`);
    lines.push('');
  }
  lines.push('Flags:');
  const entries = Object.entries(command.flags);
  for (const [name, spec] of entries) {
    const head = spec.kind === 'switch' ? `--${name}` : `--${name} ${spec.value ?? 'VALUE'}`;
    const notes = [
      spec.required ? 'required' : undefined,
      spec.kind === 'repeatable' ? 'repeatable' : undefined,
      spec.defaultText === undefined ? undefined : `default: ${spec.defaultText}`,
    ].filter((s) => s !== undefined);
    const tail = notes.length > 0 ? ` (${notes.join('; ')})` : '';
    lines.push(`  ${head.padEnd(26)} ${spec.description}${tail}`);
  }
  lines.push(`  ${'--help'.padEnd(26)} Show this help`);
  if (command.examples && command.examples.length > 0) {
    lines.push('', 'Examples:');
    for (const e of command.examples) lines.push(`  ${e}`);
  }
  return lines.join('\n') + '\n';
}

/** The known name within edit distance 2 of `name`, for "did you mean". */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = up;
    }
  }
  return row[b.length];
}

/**
 * `key=value` items of a repeatable flag (`--set`) as a record; a key given twice is an error.
 * Also for scripts that parse their flags with `node:util` (the benches).
 */
export function parseKeyValues(items: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--${flag} expects key=value, got "${item}"`);
    const key = item.slice(0, eq).trim();
    if (Object.hasOwn(out, key)) throw new UsageError(`--${flag} ${key}=... is given twice`);
    out[key] = item.slice(eq + 1);
  }
  return out;
}
