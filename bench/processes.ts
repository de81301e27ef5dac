/** The bench's view of the stack's processes: start them as `npm run stack` does, read their CPU and RSS from /proc. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..');
/** USER_HZ on Linux: /proc's CPU times are in these ticks. */
export const CLOCK_TICKS = 100;

function parentsByPid(): Map<number, { ppid: number; comm: string }> {
  const out = new Map<number, { ppid: number; comm: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      out.set(Number(entry), { ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), comm });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** pid and its descendants (tsx runs the entry point in a child node process). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of parentsByPid()) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

/** Every process whose command name is one of `names` (the local services: postgres, temporal, redis-server). */
export function processesNamed(...names: string[]): number[] {
  return [...parentsByPid()].filter(([, p]) => names.includes(p.comm)).map(([pid]) => pid);
}

/** CPU ticks (user + system, with those of the children each has reaped) and RSS in KiB, summed over the processes. */
export function usage(pids: number[]): { ticks: number; rssKb: number } {
  let ticks = 0;
  let rssKb = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      // utime + stime, and cutime + cstime: the children it has reaped (a Postgres backend that exits
      // during a phase moves its time to the postmaster, so the group's sum does not drop).
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      rssKb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      /* gone */
    }
  }
  return { ticks, rssKb };
}

/** NODE_OPTIONS for a stack process: the bench's own plus a section's extra ones (e.g. BENCH_LOAD_NODE_OPTIONS=--cpu-prof). */
export const nodeOptionsWith = (extra: string | undefined) => [process.env.NODE_OPTIONS, extra].filter(Boolean).join(' ');

/**
 * How the stack's processes run: `tsx` (the sources, as scripts/stack.sh runs them) or, with
 * BENCH_RUNTIME=compiled, `node dist/<entry>.js` as the Docker image runs them (scripts/bench.sh builds it).
 */
export const RUNTIME: 'compiled' | 'tsx' = process.env.BENCH_RUNTIME === 'compiled' ? 'compiled' : 'tsx';

/**
 * Starts `<entry>` as RUNTIME says in its own process group and resolves once `ready()`
 * holds for its output (or an async probe passes); rejects with the output if it exits or takes 60 s.
 */
export async function startProcess(entry: string, env: NodeJS.ProcessEnv, ready: (output: string) => boolean | Promise<boolean>): Promise<ChildProcess> {
  const [command, args] = RUNTIME === 'compiled' ? [process.execPath, [path.join('dist', entry.replace(/\.ts$/, '.js'))]] : [path.join(ROOT, 'node_modules', '.bin', 'tsx'), [entry]];
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`${entry} exited (${exited}):\n${output}`);
    if (Date.now() > deadline) {
      stopProcess(child);
      throw new Error(`${entry} did not start in 60 s:\n${output}`);
    }
    if (await ready(output)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  // Keep draining the pipes so a chatty process never blocks on a full one; drop what was read.
  child.stdout!.removeAllListeners('data').resume();
  child.stderr!.removeAllListeners('data').resume();
  return child;
}

/** SIGTERM to the process group (graceful shutdown), SIGKILL after `graceMs`. */
export async function stopProcess(child: ChildProcess | undefined, graceMs = 10_000): Promise<void> {
  if (!child?.pid || child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

/** What a section that runs its own worker needs: the bench database, the server, fresh task queues. */
export function sectionTarget(section: string) {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set (run through npm run bench)');
  const runId = randomUUID().slice(0, 8);
  return {
    databaseUrl,
    address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    runId,
    taskQueue: `bench-${section}-${runId}`,
    rawTaskQueue: `bench-${section}-raw-${runId}`,
  };
}
