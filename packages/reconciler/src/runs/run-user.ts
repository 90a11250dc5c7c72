// The OS boundary for script runs: with SPK_RUN_AS_USER set, a server running as root starts
// each script as that unprivileged user, so the kernel (not only Node's permission model)
// keeps it away from the server's files and processes. Here the name becomes a uid and gid.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RUN_SETTING_ENV, SpkError } from '@spk/common';

export interface RunUser {
  name: string;
  uid: number;
  gid: number;
}

/** Parses one `getent passwd` line: name:password:uid:gid:gecos:home:shell. */
export function parsePasswdLine(line: string): RunUser | null {
  const [name, , uid, gid] = line.trim().split(':');
  const [u, g] = [Number(uid), Number(gid)];
  return name && Number.isInteger(u) && Number.isInteger(g) && uid !== '' && gid !== '' ? { name, uid: u, gid: g } : null;
}

export async function resolveRunUser(name: string): Promise<RunUser> {
  const setting = `${RUN_SETTING_ENV.runAsUser}=${name}`;
  if (process.getuid?.() !== 0) {
    throw new SpkError('INVALID_INPUT', `${setting} is set, but the server does not run as root, and only root can start processes as another user; start the server as root, or unset ${RUN_SETTING_ENV.runAsUser}`);
  }
  let line: string;
  try {
    line = (await promisify(execFile)('getent', ['passwd', name])).stdout;
  } catch {
    throw new SpkError('INVALID_INPUT', `${setting} names no user of this system; create it (e.g. "useradd --system --no-create-home ${name}") or fix the name`);
  }
  const user = parsePasswdLine(line);
  if (!user) throw new SpkError('INVALID_INPUT', `${setting}: the system's entry for this user is not readable ("${line.trim()}")`);
  if (user.uid === 0) {
    throw new SpkError('INVALID_INPUT', `${setting} names a user with uid 0, which is root and no boundary; create an unprivileged user for script runs`);
  }
  return user;
}
