import { describe, expect, test } from 'bun:test';
import { createLogger } from '../log.ts';
import { eventually } from '../test/helpers/events.ts';
import { periodic } from './periodic.ts';

const quiet = createLogger('error', () => {});

/** Waits until `n` periods of `seconds` have passed, counted by a job of its own (no fixed sleep). */
async function periodsPass(n: number, seconds = PERIOD) {
  let ticks = 0;
  const clock = periodic('clock', seconds, async () => void ticks++, quiet);
  await eventually(() => ticks >= n, 5000, `${n} periods`);
  await clock.stop();
}

const PERIOD = 0.01;

describe('periodic jobs', () => {
  test('a run still going when the next is due is not doubled, and stop waits for it', async () => {
    let runs = 0;
    let active = 0;
    let most = 0;
    let finish!: () => void;
    const job = periodic(
      'slow job',
      PERIOD,
      async () => {
        runs++;
        most = Math.max(most, ++active);
        await new Promise<void>((resolve) => (finish = resolve));
        active--;
      },
      quiet,
    );
    await eventually(() => runs === 1, 5000, 'the first run');
    await periodsPass(3); // the timer fires while the first run is still going
    expect({ runs, most }).toEqual({ runs: 1, most: 1 });
    const stopped = job.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await periodsPass(1);
    expect(done).toBe(false); // stop waits for the run
    finish();
    await stopped;
    expect(active).toBe(0);
  });

  test('a failure is logged once when it starts and once when the job recovers, and the runs go on', async () => {
    const lines: string[] = [];
    let runs = 0;
    const job = periodic(
      'flaky job',
      PERIOD,
      async () => {
        if (++runs <= 3) throw new Error('boom');
      },
      createLogger('info', (l) => lines.push(l)),
    );
    await eventually(() => runs >= 5, 5000, 'five runs');
    await job.stop();
    expect(lines.length).toBe(2);
    expect(lines[0]).toContain('flaky job failed');
    expect(lines[0]).toContain('boom');
    expect(JSON.parse(lines[1]!)).toMatchObject({ msg: 'flaky job recovered', failedRuns: 3 });
  });

  test('0 seconds: never runs', async () => {
    let runs = 0;
    const job = periodic('off', 0, async () => void runs++, quiet);
    await periodsPass(3);
    await job.stop();
    expect(runs).toBe(0);
  });
});
