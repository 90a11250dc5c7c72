// Ordered steps of one long browser scenario as separate tests: each names what it proves, and a
// step whose prerequisite failed is skipped with the reason instead of failing for someone else.
import { it } from 'vitest';

export interface StepFlow {
  /** A test that runs only when every step in `needs` passed. */
  step(name: string, needs: string[], body: () => Promise<void>, timeoutMs?: number): void;
}

export function createStepFlow(): StepFlow {
  const passed = new Set<string>();
  const declared = new Set<string>();
  return {
    step(name, needs, body, timeoutMs) {
      for (const need of needs) if (!declared.has(need)) throw new Error(`step "${name}" needs "${need}", which is not declared before it: declare steps in order`);
      declared.add(name);
      it(
        name,
        async (context) => {
          const missing = needs.filter((need) => !passed.has(need));
          if (missing.length > 0) context.skip(`skipped: needs ${missing.map((n) => `"${n}"`).join(', ')}, which did not pass`);
          await body();
          passed.add(name);
        },
        timeoutMs,
      );
    },
  };
}
