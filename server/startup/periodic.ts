import type { Logger } from '../log.ts';

/**
 * Runs `job` every `seconds` (never when 0), one run at a time: a run still going when the next
 * is due is not doubled. The timer does not keep the process alive; `stop` waits for a running job.
 */
export function periodic(name: string, seconds: number, job: () => Promise<unknown>, log: Logger) {
  let running: Promise<unknown> | null = null;
  const timer =
    seconds > 0
      ? setInterval(() => {
          running ??= job()
            .catch((error) => log.warn(`${name} failed`, { error }))
            .finally(() => (running = null));
        }, seconds * 1000)
      : null;
  timer?.unref();
  return {
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
