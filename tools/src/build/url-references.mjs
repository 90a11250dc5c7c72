// Files the sources start or open by `new URL('./name', import.meta.url)` (the script runner and
// its preload, workers): in a bundle, import.meta.url is the bundle's own, so each of them has to
// sit beside the bundle in dist/. A JavaScript file is copied as it is (the script runner is
// written to run exactly as written); a TypeScript one is bundled into `name.mjs`, and the
// reference in the source is rewritten to that name.
import path from 'node:path';

const URL_REFERENCE = /new URL\(\s*(['"])\.\/([^'"\s]+)\1\s*,\s*import\.meta\.url\s*\)/g;
const TYPESCRIPT = /\.[cm]?ts$/;

/** Collects the referenced files while esbuild loads the sources, keyed by their path in dist/. */
export function createUrlReferences() {
  /** @type {Map<string, string>} path in dist/ -> absolute source path */
  const targets = new Map();
  return {
    /**
     * Notes the files `text` (the source of `file`) refers to; returns the text to bundle.
     * @param {string} file
     * @param {string} text
     */
    rewrite(file, text) {
      if (!text.includes('import.meta.url')) return text;
      return text.replace(URL_REFERENCE, (whole, quote, rel) => {
        const source = path.resolve(path.dirname(file), rel);
        const built = rel.replace(TYPESCRIPT, '.mjs');
        const known = targets.get(built);
        if (known !== undefined && known !== source) throw new Error(`${known} and ${source} would both be dist/${built}: rename one`);
        targets.set(built, source);
        return built === rel ? whole : whole.replace(`${quote}./${rel}${quote}`, `${quote}./${built}${quote}`);
      });
    },
    /** [path in dist/, source, whether it is bundled (TypeScript) or copied] for each file referenced so far. */
    entries: () => [...targets].map(([built, source]) => ({ built, source, bundled: TYPESCRIPT.test(source) })),
  };
}
