import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';

// zxcvbn-ts is pure computation (no I/O, no framework), so the rule stays a domain function.
// Building its matchers takes ~0.3 s: done on first use, not at import.
let estimator: ZxcvbnFactory | undefined;
const zxcvbn = () =>
  (estimator ??= new ZxcvbnFactory({
    dictionary: { ...commonDictionary, ...englishDictionary },
    graphs: adjacencyGraphs,
    translations,
  }));

/**
 * True when the whole password is one entry of zxcvbn's dictionaries (common passwords, English
 * words, names, Wikipedia terms), ignoring case, l33t substitutions (p4ssw0rd) and reversal: the
 * first guesses of any cracker. Several words together, or a word plus anything else, pass.
 */
export function isCommonPassword(password: string): boolean {
  const { sequence } = zxcvbn().check(password);
  return sequence.length === 1 && sequence[0]?.pattern === 'dictionary';
}
