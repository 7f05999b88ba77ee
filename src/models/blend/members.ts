/**
 * The `members` setting of `blend`: a comma list of model ids, each optionally followed by its own
 * settings in parentheses, `;`-separated — `bayes-svdpp(factors=64;iterations=400),svdpp,biasedmf`.
 * Commas inside the parentheses belong to the member (`fm(features=age,gender)`).
 */
import { UsageError } from '../../util/errors.js';

export interface MemberSpec {
  readonly id: string;
  readonly overrides: Readonly<Record<string, string>>;
}

export function parseMembers(text: string): MemberSpec[] {
  const entries: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) throw bad(text, 'a ")" without its "("');
    if (ch === ',' && depth === 0) {
      entries.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (depth !== 0) throw bad(text, 'a "(" without its ")"');
  entries.push(current);
  const members = entries.map((entry) => parseEntry(text, entry.trim()));
  if (members.length === 0) throw bad(text, 'no member');
  return members;
}

function parseEntry(text: string, entry: string): MemberSpec {
  const open = entry.indexOf('(');
  const id = (open < 0 ? entry : entry.slice(0, open)).trim();
  if (id === '') throw bad(text, 'an empty member');
  if (id === 'blend') throw bad(text, 'a blend cannot be a member of a blend');
  const overrides: Record<string, string> = {};
  if (open >= 0) {
    if (!entry.endsWith(')')) throw bad(text, `text after the ")" of member "${id}"`);
    for (const pair of entry.slice(open + 1, -1).split(';')) {
      if (pair.trim() === '') continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) throw bad(text, `"${pair}" in member "${id}" is not KEY=VALUE`);
      overrides[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
    }
  }
  return { id, overrides };
}

function bad(text: string, what: string): UsageError {
  return new UsageError(
    `blend setting "members" ("${text}") has ${what}: give model ids separated by commas, ` +
      'each optionally with settings, e.g. bayes-svdpp(factors=64;iterations=400),svdpp',
  );
}
