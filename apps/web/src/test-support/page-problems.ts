// Everything that went wrong in the page while the test drove it: console errors, uncaught
// exceptions, same-origin requests that failed or were answered with an error status.
import type { Page } from 'playwright-core';

export interface PageProblems {
  readonly list: string[];
  /** One line per problem, for a failure message. */
  report(): string;
}

export function collectPageProblems(page: Page, origin: string): PageProblems {
  const list: string[] = [];
  const sameOrigin = (raw: string) => {
    try {
      return new URL(raw).origin === origin;
    } catch {
      return false;
    }
  };
  page.on('console', (message) => {
    if (message.type() === 'error') list.push(`console error: ${message.text()} (at ${message.location().url}:${message.location().lineNumber})`);
  });
  // A rejected value that is not an Error (an Event, a string) arrives with an empty message.
  page.on('pageerror', (error) => list.push(`page error: ${error.stack || error.message || `${error.name || 'non-Error value'}: ${String(error)}`}`));
  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText ?? 'unknown failure';
    // Streams (install.watch, hosts.watch) are aborted on purpose when their section closes.
    if (sameOrigin(request.url()) && failure !== 'net::ERR_ABORTED') list.push(`request failed: ${request.method()} ${request.url()}: ${failure}`);
  });
  page.on('response', (response) => {
    if (!sameOrigin(response.url()) || response.status() < 400) return;
    list.push(`error response: ${response.request().method()} ${response.url()} answered ${response.status()}`);
  });
  return { list, report: () => list.map((line) => `- ${line}`).join('\n') };
}
