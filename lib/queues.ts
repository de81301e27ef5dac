/**
 * BullMQ queues shared by the API (Bull Board), the Temporal activities (producer) and the reminder
 * worker (consumer). Connections: the producer fails fast when Redis is down (the activity errors and
 * Temporal retries it: late, never lost); workers block on Redis and must never time out commands.
 */
import { Queue, type JobsOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { ReminderKind } from '../domain/reminders';

export const REMINDER_QUEUE = 'reminders';

export interface ReminderJobData {
  reminderId: string;
  tenantId: string;
  invoiceId: string;
  key: string;
  kind: ReminderKind;
  /** Minor units the reminder asks for, as decided by the workflow at the reminder instant. */
  amount: number;
  // For operators reading the job in Bull Board; the worker reads only the ids and the amount
  // (absent in jobs queued before they existed).
  tenantName?: string;
  invoiceNumber?: string;
  /** `Ada Lovelace <ada@example.com>` (the name alone when the contact has no e-mail). */
  recipient?: string;
  /** The amount as the reminder shows it, e.g. `$1,250.00`. */
  amountFormatted?: string;
}

/** Retries with backoff are BullMQ's own; a job that keeps failing stays in the failed set (never removed). */
export const REMINDER_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 30_000 },
  removeOnComplete: { age: 7 * 86_400 },
  removeOnFail: false,
};

/** For producers: no offline queue and a short connect timeout, so a command fails instead of hanging. */
export function producerConnection(url: string, extra: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...extra,
  });
  // Failures surface on the commands (queue.add rejects); keep connection noise out of the logs.
  redis.on('error', () => {});
  return redis;
}

/** For BullMQ workers (blocking commands): never give up on a command. */
export function workerConnection(url: string, extra: RedisOptions = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, ...extra });
  redis.on('error', () => {}); // the worker reconnects on its own and reports through its 'error' event
  return redis;
}

export interface QueueNaming {
  /** Queue name; defaults to REMINDER_QUEUE (tests isolate themselves with their own). */
  name?: string;
  /** Redis key prefix; BullMQ's default is `bull`. */
  prefix?: string;
}

/**
 * queue.add with a deadline: a Queue whose connection never became ready waits for it, so the
 * producer bounds every add (the job id makes a late add after a timeout harmless).
 */
export async function addWithDeadline<T>(queue: Queue<T>, name: string, data: T, opts: JobsOptions, deadlineMs = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis unavailable: queue ${queue.name} did not accept the job within ${deadlineMs} ms`)), deadlineMs);
  });
  const add = (queue.add as (n: string, d: T, o: JobsOptions) => Promise<unknown>).call(queue, name, data, opts);
  add.catch(() => undefined); // if the deadline wins, the late outcome is irrelevant
  try {
    await Promise.race([add, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function createReminderQueue(connection: Redis, naming: QueueNaming = {}): Queue<ReminderJobData> {
  const queue = new Queue<ReminderJobData>(naming.name ?? REMINDER_QUEUE, {
    connection,
    ...(naming.prefix ? { prefix: naming.prefix } : {}),
    defaultJobOptions: REMINDER_JOB_OPTIONS,
  });
  queue.on('error', () => {}); // add() rejects when Redis is unreachable; the caller retries
  return queue;
}

/** ioredis failures that mean Redis cannot be reached now (a command on a closed or offline connection). */
export function isRedisUnavailable(err: unknown): boolean {
  const e = err as { name?: string; message?: string; code?: string };
  return (
    e?.name === 'MaxRetriesPerRequestError' ||
    e?.code === 'ECONNREFUSED' ||
    /Connection is closed|enableOfflineQueue|Stream isn't writeable|Reached the max retries per request/i.test(e?.message ?? '')
  );
}
