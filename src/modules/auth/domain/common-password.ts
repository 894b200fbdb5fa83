import { dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary } from '@zxcvbn-ts/language-en';

// zxcvbn-ts's dictionaries (common passwords, English words, names, Wikipedia terms) as one set,
// built on first use (about 250,000 entries). The full zxcvbn estimate is not run: it cost about
// 130 ms of the event loop per password, which serialised every registration behind the others,
// and this rule needs only the whole-password lookups below.
let words: Set<string> | undefined;
const dictionary = () =>
  (words ??= new Set(Object.values({ ...commonDictionary, ...englishDictionary }).flatMap((list) => list)));

/** zxcvbn's l33t table: a symbol may stand for these letters. */
const L33T: Readonly<Record<string, readonly string[]>> = {
  '4': ['a'],
  '@': ['a'],
  '8': ['b'],
  '(': ['c'],
  '{': ['c'],
  '[': ['c'],
  '<': ['c'],
  '3': ['e'],
  '6': ['g'],
  '9': ['g'],
  '1': ['i', 'l'],
  '!': ['i'],
  '|': ['i', 'l'],
  '0': ['o'],
  $: ['s'],
  '5': ['s'],
  '+': ['t'],
  '7': ['t', 'l'],
  '%': ['x'],
  '2': ['z'],
};

/** Readings of the password with its l33t symbols kept or replaced, at most `limit` of them. */
function readings(password: string, limit = 256): string[] {
  let out = [''];
  for (const char of password) {
    // Past the limit only the symbol itself is kept, so the work stays linear in the length.
    const options = out.length < limit ? [char, ...(L33T[char] ?? [])] : [char];
    out = out.flatMap((prefix) => options.map((option) => prefix + option)).slice(0, limit);
  }
  return out;
}

/**
 * True when the whole password is one entry of zxcvbn's dictionaries (common passwords, English
 * words, names, Wikipedia terms), ignoring case, l33t substitutions (p4ssw0rd) and reversal: the
 * first guesses of any cracker. Several words together, or a word plus anything else, pass.
 */
export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  const reversed = [...lower].reverse().join('');
  return [lower, reversed].some((candidate) => readings(candidate).some((reading) => dictionary().has(reading)));
}
