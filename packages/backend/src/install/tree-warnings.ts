// What an install tells the operator about the tree it resolved, kept in install.state `warnings`
// (not only in logs): versions their publishers deprecated, and declared dist-tags, whose version
// moves whenever the tag does. Pure: the pipeline passes the declared set and the resolved nodes.
import { npmRegistrySpecType } from '@spk/common/node';
import { quotedDeprecation } from '../registry/deprecation-text.ts';
import type { DeclaredEntry } from './declared-set-check.ts';
import type { ResolvedNode } from './resolve-tree.ts';

/** Transitive deprecated packages named one by one; the rest are counted. */
export const MAX_DEPRECATED_LISTED = 20;

type TreeNode = Pick<ResolvedNode, 'name' | 'version' | 'path' | 'deprecated'>;

function deprecatedWarnings(declared: readonly DeclaredEntry[], nodes: readonly TreeNode[]): string[] {
  const declaredByPath = new Map(declared.map((d) => [`node_modules/${d.name}`, d]));
  const warnings: string[] = [];
  const transitive = new Map<string, string>();
  for (const node of nodes) {
    if (!node.deprecated) continue;
    const entry = declaredByPath.get(node.path);
    if (entry && entry.name === node.name) {
      warnings.push(
        `${entry.name}@${entry.range} installs ${node.version}, which is deprecated: ${quotedDeprecation(node.deprecated)}; declare a range that avoids it (spk packages set ${entry.name}@<range>)`,
      );
    } else {
      // The same version may sit at several paths: it is one deprecated package.
      transitive.set(`${node.name}@${node.version}`, node.deprecated);
    }
  }
  if (transitive.size > 0) {
    const listed = [...transitive].sort(([a], [b]) => (a < b ? -1 : 1));
    const shown = listed.slice(0, MAX_DEPRECATED_LISTED).map(([id, message]) => `${id} (${quotedDeprecation(message)})`);
    const more = listed.length - shown.length;
    // Dependencies of declared packages, and packages added for the editor's types.
    const count = listed.length === 1 ? 'one undeclared package in the tree is' : `${listed.length} undeclared packages in the tree are`;
    warnings.push(`${count} deprecated: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  return warnings;
}

/**
 * A declared dist-tag gets whatever the tag points to at each install. `latest` is left out: it is
 * what a bare name means (npm's default), and the newest release is what the operator asked for.
 */
function distTagWarnings(declared: readonly DeclaredEntry[], nodes: readonly TreeNode[]): string[] {
  const topLevel = new Map(nodes.map((node) => [node.path, node]));
  return declared.flatMap((entry) => {
    if (entry.range === 'latest' || npmRegistrySpecType(entry.name, entry.range) !== 'tag') return [];
    const node = topLevel.get(`node_modules/${entry.name}`);
    if (!node) return [];
    return [`${entry.name}@${entry.range}: the tag ${entry.range} pointed to ${node.version} at this install; declare a range to control upgrades`];
  });
}

export function treeWarnings(declared: readonly DeclaredEntry[], nodes: readonly TreeNode[]): string[] {
  return [...deprecatedWarnings(declared, nodes), ...distTagWarnings(declared, nodes)];
}
