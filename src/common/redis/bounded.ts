/**
 * Waits for `work` at most `ms`. Queue producers use it so that a request
 * does not hang while Redis is away: BullMQ's connection keeps the command
 * and sends it when Redis is back (the jobId keeps it single), and the
 * outbox row is there in the meantime.
 */
export async function atMost<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
