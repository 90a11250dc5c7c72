// The error for a command line `spk` cannot act on. It names the command whose usage applies,
// so main can point at the right `--help`; errors.ts maps it to exit code 2.
export class UsageError extends Error {
  /** The command or group whose help applies ("packages add", "packages"); undefined for the whole CLI. */
  readonly topic: string | undefined;

  constructor(message: string, topic?: string) {
    super(message);
    this.name = 'UsageError';
    this.topic = topic;
  }
}
