import type { Command } from "commander";

/**
 * Runs `src/commands/<name>.ts` with the command's own options (positional arguments merged in by the
 * register file) and a fresh context built from the global flags.
 */
export type Runner = (name: string, options: Record<string, unknown>, command: Command) => Promise<void>;

/** Commander's repeatable-flag collector: `--event a --event b` → ["a", "b"]. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
