// Commands whose flags, help text and action are added only when the command is used: declaring ~20
// commands with ~100 flags is a good part of every start, and `certwh --help` or `certwh event-types` needs
// the flags of one command at most. The register files are written as usual against `deferring(program)`:
// a command's name, alias, description and arguments (what the command list shows) are applied at once,
// every other call is recorded and replayed on the command just before commander dispatches to it, when
// `certwh help <command>` asks for its help, or for all commands at once (completion scripts).

import { type Command, Help } from "./commander.js";

interface Step {
  method: string;
  args: unknown[];
  /** For a recorded `.command()`: the calls made on the subcommand it returned. */
  sub?: Recording;
}

class Recording {
  readonly steps: Step[] = [];

  get hasOptions(): boolean {
    return this.steps.some(
      (s) => s.method === "option" || s.method === "requiredOption" || s.method === "addOption",
    );
  }

  replay(target: Command): void {
    for (const step of this.steps) {
      const result = (target as unknown as Record<string, (...args: unknown[]) => unknown>)[step.method](
        ...step.args,
      );
      step.sub?.replay(result as Command);
    }
  }
}

/** Applied when declared: what the command list, suggestions and dispatch need. */
const DECLARED = new Set(["alias", "description", "argument"]);

const pending = new WeakMap<Command, Recording>();

/** A stand-in for a command that records calls (declared ones go to `declared` at once when given). */
function recorder(recording: Recording, declared?: Command): Command {
  const proxy: Command = new Proxy({} as Command, {
    get(_target, method: string) {
      return (...args: unknown[]) => {
        if (declared && DECLARED.has(method)) {
          (declared as unknown as Record<string, (...a: unknown[]) => unknown>)[method](...args);
          return proxy;
        }
        const step: Step = { method, args };
        recording.steps.push(step);
        if (method !== "command") return proxy;
        step.sub = new Recording();
        return recorder(step.sub);
      };
    },
  });
  return proxy;
}

/** The program as register files see it: `.command(name)` declares a command and defers the rest. */
export function deferring(program: Command): Command {
  return new Proxy(program, {
    get(target, property, receiver) {
      if (property !== "command") return Reflect.get(target, property, receiver);
      return (nameAndArgs: string) => {
        const declared = target.command(nameAndArgs);
        const recording = new Recording();
        pending.set(declared, recording);
        return recorder(recording, declared);
      };
    },
  });
}

/** Adds the command's deferred flags, help and action (once). */
export function configure(cmd: Command): void {
  const recording = pending.get(cmd);
  if (!recording) return;
  pending.delete(cmd);
  recording.replay(cmd);
}

export function configureAll(cmd: Command): void {
  configure(cmd);
  for (const sub of cmd.commands) configureAll(sub);
}

/** Wires the program: configure before dispatch, and list a command not configured yet as it will be. */
export function configureOnDispatch(program: Command): void {
  program.hook("preSubcommand", (_program, sub) => configure(sub));
  program.configureHelp({
    subcommandTerm(cmd) {
      const term = Help.prototype.subcommandTerm.call(this, cmd);
      if (!pending.get(cmd)?.hasOptions) return term;
      const name = cmd.name() + (cmd.aliases()[0] ? `|${cmd.aliases()[0]}` : "");
      return `${name} [options]${term.slice(name.length)}`;
    },
  });
}
