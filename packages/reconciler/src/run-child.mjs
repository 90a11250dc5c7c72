// Child side of a script run: imports the script, awaits its default export and reports the
// value as JSON over the IPC channel, so stdout and stderr stay the script's own.
import { pathToFileURL } from 'node:url';

const describe = (error) => (error instanceof Error ? `${error.name}: ${error.message}` : `a non-Error value was thrown: ${String(error)}`);

async function outcome(scriptPath) {
  let value;
  try {
    // For CommonJS scripts the namespace's default is module.exports.
    const namespace = await import(pathToFileURL(scriptPath).href);
    value = await namespace.default;
  } catch (error) {
    process.stderr.write(`${error instanceof Error && error.stack ? error.stack : String(error)}\n`);
    return { ok: false, message: describe(error) };
  }
  try {
    return { ok: true, json: JSON.stringify(value) ?? 'null' };
  } catch (error) {
    return { ok: false, message: `the default export's value is not JSON-serializable: ${describe(error)}` };
  }
}

const message = await outcome(process.argv[2]);
// The run ends when the default export settles; timers or sockets the script left open must
// not keep it alive until the timeout.
process.send(message, () => process.exit(0));
