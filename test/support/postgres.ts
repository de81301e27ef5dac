/**
 * A throwaway Postgres server of the test's own (initdb in a temp folder, its own loopback port),
 * so a test can stop and start it without touching the shared test database.
 */
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readdirSync } from 'node:fs';
import { freePort } from './net';

const run = promisify(execFile);

/** Debian's binaries (the newest installed version). */
function pgBin(tool: string): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  return `/usr/lib/postgresql/${versions[0]}/bin/${tool}`;
}

export interface PrivatePostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'pc-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  // Postgres refuses to run as root: as root, run it as the postgres user.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(stdout.trim()));
  }
  const pg = (tool: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', pgBin(tool), ...args]) : run(pgBin(tool), args));
  await pg('initdb', ['-D', data, '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--auth=trust']);
  const ctl = (action: 'start' | 'stop') =>
    pg('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', ...(action === 'start' ? ['-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`] : ['-m', 'fast']), action]);
  await ctl('start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: async () => void (await ctl('start')),
    stop: async () => void (await ctl('stop')),
    async close() {
      await ctl('stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
