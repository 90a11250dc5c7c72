// Child side of a script run: reads the run's secret nonce from stdin, imports the script,
// awaits its default export and writes the value as one nonce-framed JSON frame to fd 3 (see
// result-channel.ts), so stdout and stderr stay the script's own and nothing else can pose as
// the result; a script that exports nothing gets a "none" frame, so no result is shown rather
// than a null it never returned. Everything it relies on is captured before the script's code
// can replace it.
import { Buffer } from 'node:buffer';
import { readSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const RESULT_FD = 3;
const stringify = JSON.stringify;
const byteLength = Buffer.byteLength;
const { getPrototypeOf, values: valuesOf } = Object;
const { ownKeys } = Reflect;
const objectPrototype = Object.prototype;
// CommonJS modules imported from here land in the shared CommonJS cache.
const commonJsCache = createRequire(import.meta.url).cache;
const reallyExit = process.reallyExit.bind(process);
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

// Writes to pipes are asynchronous by default: a script that prints and then exits at once
// would lose what is still queued. Blocking writes keep every byte it printed.
for (const stream of [process.stdout, process.stderr]) stream._handle?.setBlocking?.(true);

function readNonce() {
  const buffer = Buffer.alloc(128);
  let text = '';
  while (!text.includes('\n')) {
    let read;
    try {
      read = readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      if (error.code === 'EAGAIN') {
        sleep(5);
        continue;
      }
      throw error;
    }
    // The parent is gone before the run began: nothing to report to.
    if (read === 0) reallyExit(1);
    text += buffer.toString('latin1', 0, read);
  }
  return text.slice(0, text.indexOf('\n'));
}

const nonce = readNonce();
const [scriptPath, maxResultArg] = process.argv.slice(2);
const maxResultBytes = Number(maxResultArg);

function describe(error) {
  if (!(error instanceof Error)) return `a non-Error value was thrown: ${String(error)}`;
  const text = `${error.name}: ${error.message}`;
  if (error.code !== 'ERR_ACCESS_DENIED') return text;
  // Node's own message does not say what was refused or why.
  const what = [error.permission, error.resource].filter(Boolean).join(' ');
  return `${text}${what ? ` (${what})` : ''}: a script run may read only its pinned tree and its run dir, write only its temp dir (TMPDIR), and start no processes or workers unless the host allows them`;
}

/**
 * A CommonJS script's default export is its module.exports, which exists even when the script
 * assigns nothing: an empty plain object that is some CommonJS module's exports means "nothing".
 */
function isEmptyCommonJsExports(value) {
  if (value === null || typeof value !== 'object' || getPrototypeOf(value) !== objectPrototype || ownKeys(value).length > 0) return false;
  const loaded = valuesOf(commonJsCache);
  for (let i = 0; i < loaded.length; i++) if (loaded[i]?.exports === value) return true;
  return false;
}

async function outcome() {
  let value;
  try {
    const namespace = await import(pathToFileURL(scriptPath).href);
    value = 'default' in namespace ? await namespace.default : undefined;
  } catch (error) {
    process.stderr.write(`${error instanceof Error && error.stack ? error.stack : String(error)}\n`);
    return ['error', describe(error)];
  }
  if (value === undefined || isEmptyCommonJsExports(value)) return ['none', ''];
  let json;
  try {
    json = stringify(value) ?? 'null';
  } catch (error) {
    return ['error', `the default export's value is not JSON-serializable: ${describe(error)}`];
  }
  const bytes = byteLength(json, 'utf8');
  return bytes > maxResultBytes ? ['too-large', String(bytes)] : ['ok', json];
}

// The frame is written as a string: a Buffer would pass through property lookups (such as
// byteLength) a script could have redefined on the TypedArray prototype, handing it the nonce.
function writeAll(frame) {
  let rest = frame;
  while (rest.length > 0) {
    let written;
    try {
      written = writeSync(RESULT_FD, rest, null, 'utf8');
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
      sleep(5);
      continue;
    }
    // A blocking pipe takes the whole frame at once; a partial write is resumed after the
    // bytes that went (the frame is ASCII up to its payload, so count through a Buffer).
    rest = written >= byteLength(rest, 'utf8') ? '' : Buffer.from(rest, 'utf8').subarray(written).toString('utf8');
  }
}

const [kind, payload] = await outcome();
writeAll(`SPKRESULT1 ${nonce} ${kind} ${byteLength(payload, 'utf8')}\n${payload}`);
// The run ends when the default export settles: timers or sockets the script left open must
// not keep it alive, and neither may a replaced process.exit.
reallyExit(0);
