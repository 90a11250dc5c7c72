// The last guard before a text from npm (an error message quoted in an install error) is stored or
// shown: every form a configured registry secret can take there is cut out, as are URL
// credentials and query strings (a tarball URL may be signed). Our own messages never quote a
// secret; this is for the text we did not write.
import { redactUrlCredentials, type RegistrySettings } from '@spk/common';

const CUT = '***';
// Shorter than this, a "secret" would cut ordinary words out of a message; no registry issues one.
const MIN_SECRET_LENGTH = 6;

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Each secret of `settings` as stored, as npm sends it (base64 of user:password) and as it decodes. */
export function secretForms(settings: RegistrySettings): string[] {
  const forms = new Set<string>();
  for (const auth of Object.values(settings.auth)) {
    if (auth.token) forms.add(auth.token);
    if (auth.auth) {
      forms.add(auth.auth);
      const decoded = Buffer.from(auth.auth, 'base64').toString('utf8');
      forms.add(decoded);
      forms.add(decoded.slice(decoded.indexOf(':') + 1));
    }
    if (auth.password) {
      forms.add(auth.password);
      forms.add(base64(auth.password));
      if (auth.username) {
        forms.add(`${auth.username}:${auth.password}`);
        forms.add(base64(`${auth.username}:${auth.password}`));
      }
    }
  }
  const all = [...forms].flatMap((form) => [form, form.replace(/=+$/, ''), encodeURIComponent(form)]);
  // Longest first, so a secret containing another is cut whole.
  return [...new Set(all)].filter((form) => form.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** `text` without the secrets of `settings`, URL credentials or query strings. */
export function withoutSecrets(text: string, settings: RegistrySettings): string {
  let scrubbed = redactUrlCredentials(text).replace(/(https?:\/\/[^\s?#]*)[?#][^\s]*/g, '$1');
  for (const form of secretForms(settings)) scrubbed = scrubbed.split(form).join(CUT);
  return scrubbed;
}
