/**
 * Deterministic chat-like text for the history benchmark: sentences of English stop words, a
 * hand-picked chat vocabulary and a long tail of generated words, drawn with a Zipf distribution
 * so that full-text search meets both very common and very selective terms.
 */

/** The seeded user who belongs to every group; measure.ts logs in as them. */
export const READER = 'bench_reader';
export const PASSWORD = 'bench-password-history';

/** A small, fast, seedable PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** English stop words: they pad the text and are not indexed. */
const STOP = 'the a to and of in is it for on that this with be at we i you are was have not but can so just will'.split(' ');

/** Chat vocabulary, most frequent first (rank 1 is the most common term). */
const CHAT = `deploy build release meeting review ticket customer bug test server issue update team branch merge
  fix staging production database query latency dashboard alert incident rollback config cache login token session
  design feedback sprint standup roadmap budget invoice contract vendor launch demo ship feature request pipeline
  docker cluster node memory cpu disk network backup restore migration schema index search metric log trace error
  warning timeout retry queue worker cron job script patch version dependency upgrade security audit access policy
  coffee lunch weekend holiday vacation birthday party office remote train flight hotel weather music movie game
  football basketball recipe pizza burger salad garden painting photo camera phone laptop keyboard monitor headset
  project plan estimate deadline priority blocker question answer idea proposal draft document slide spreadsheet
  calendar invite agenda notes summary followup reminder handoff onboarding interview candidate offer salary
  support escalation outage recovery postmortem runbook oncall pager shift rotation coverage handover checklist`
  .split(/\s+/)
  .filter(Boolean);

/** Pronounceable generated words for the long tail ("kavoru", "temisan", ...). */
function tailWords(n: number, random: () => number): string[] {
  const c = 'bdfgklmnprstvz';
  const v = 'aeiou';
  const seen = new Set<string>(CHAT);
  const out: string[] = [];
  while (out.length < n) {
    let w = '';
    const syllables = 2 + Math.floor(random() * 3);
    for (let i = 0; i < syllables; i++) w += c[Math.floor(random() * c.length)]! + v[Math.floor(random() * v.length)]!;
    if (random() < 0.4) w += c[Math.floor(random() * c.length)]!;
    if (!seen.has(w)) {
      seen.add(w);
      out.push(w);
    }
  }
  return out;
}

export interface Corpus {
  /** Indexed vocabulary, rank order. */
  vocabulary: string[];
  /** One message's text. */
  sentence(): string;
}

/** A corpus over `tail` generated words plus the chat vocabulary, Zipf exponent `s`. */
export function createCorpus(seed = 42, tail = 20_000, s = 1.05): Corpus {
  const random = rng(seed);
  const vocabulary = [...CHAT, ...tailWords(tail, random)];
  // Cumulative Zipf weights for sampling by binary search.
  const cdf = new Float64Array(vocabulary.length);
  let total = 0;
  for (let i = 0; i < vocabulary.length; i++) cdf[i] = total += 1 / Math.pow(i + 1, s);
  const word = () => {
    const x = random() * total;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return vocabulary[lo]!;
  };
  const stop = () => STOP[Math.floor(random() * STOP.length)]!;
  return {
    vocabulary,
    sentence() {
      // 3..24 words, about a third of them stop words, sometimes a question or an exclamation.
      const n = 3 + Math.floor(Math.pow(random(), 1.6) * 22);
      const words: string[] = [];
      for (let i = 0; i < n; i++) words.push(random() < 0.33 ? stop() : word());
      const end = random();
      let text = words.join(' ');
      text = text[0]!.toUpperCase() + text.slice(1);
      return end < 0.15 ? `${text}?` : end < 0.22 ? `${text}!` : end < 0.3 ? `${text} :)` : text;
    },
  };
}
