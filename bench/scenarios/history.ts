// Scenario 5 (hook, owned by the lead): history page and search latency at 1,000,000 stored
// messages, Parley only. Intended shape, so the report picks it up without changes:
//   seed:    bulk-insert 1M messages (direct SQL against a fresh DATABASE_URL is fine here, the
//            scenario measures reads), spread over a few channels, then ANALYZE;
//   measure: messages.list (newest page, a deep page via before_seq) and messages.search
//            (common term, rare term) over HTTP, closed loop with a few concurrent clients;
//   return:  { list_newest: {p50_ms, p99_ms, per_s}, list_deep: {...}, search_common: {...}, search_rare: {...} }
import type { Options } from '../lib/cli.ts';
import type { TargetName } from '../lib/targets.ts';
import type { TargetResult } from './common.ts';

export async function history(_opts: Options, target: TargetName): Promise<TargetResult> {
  if (target !== 'parley') return { skipped: 'Parley only' };
  return { skipped: 'not implemented yet (scenario 5 hook, see bench/scenarios/history.ts)' };
}
