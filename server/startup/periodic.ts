import type { Logger } from '../log.ts';

/**
 * Runs `job` every `seconds` (never when 0), one run at a time: a run still going when the next
 * is due is not doubled. A failure is logged when it starts and when the job recovers, not on
 * every tick (a job that runs each second would otherwise fill the log). The timer does not keep
 * the process alive; `stop` waits for a running job.
 */
export function periodic(name: string, seconds: number, job: () => Promise<unknown>, log: Logger) {
  let running: Promise<unknown> | null = null;
  let failures = 0;
  const tick = () =>
    job()
      .then(() => {
        if (failures) log.info(`${name} recovered`, { failedRuns: failures });
        failures = 0;
      })
      .catch((error) => {
        if (failures++ === 0) log.warn(`${name} failed`, { error });
      })
      .finally(() => (running = null));
  const timer = seconds > 0 ? setInterval(() => (running ??= tick()), seconds * 1000) : null;
  timer?.unref();
  return {
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
