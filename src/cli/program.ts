// The command table: global flags, then each command declared in src/commands/specs/ with its action.
// Command code is imported only when its command runs, so --help and --version load nothing heavy; so is
// the command context (Output, chalk, the prompter), which only a running command needs.

import type { CommandContext } from "../commands/context.js";
import { Command, Help, Option } from "../commands/specs/commander.js";
import {
  configCommand,
  configGetCommand,
  configListCommand,
  configPathCommand,
  configSetCommand,
  configUnsetCommand,
  loginCommand,
  logoutCommand,
} from "../commands/specs/config.js";
import {
  activateCommand,
  challengeCommand,
  createCommand,
  deactivateCommand,
  deleteCommand,
  logsCommand,
  statusCommand,
  testCommand,
  updateUrlCommand,
  verifyCommand,
} from "../commands/specs/lifecycle.js";
import { inspectCommand, listenCommand, replayCommand } from "../commands/specs/listen.js";
import { completionCommand, eventTypesCommand } from "../commands/specs/misc.js";
import { sandboxCommand, triggerCommand } from "../commands/specs/sandbox.js";
import { checkRequestTimeoutFlag } from "../config/request-timeout.js";
import type { GlobalFlags } from "../config/types.js";
import { version } from "../util/version.js";
import { refuseRepeatedFlags } from "./repeated-flags.js";
import { checkRequiredFlagsLast } from "./required-flags.js";

/** Each command's code, imported only when it runs. */
const COMMANDS = {
  activate: () => import("../commands/activate.js"),
  challenge: () => import("../commands/challenge.js"),
  completion: () => import("./completion.js"),
  config: () => import("../commands/config.js"),
  create: () => import("../commands/create.js"),
  deactivate: () => import("../commands/deactivate.js"),
  delete: () => import("../commands/delete.js"),
  "event-types": () => import("../commands/event-types.js"),
  inspect: () => import("../commands/inspect.js"),
  listen: () => import("../commands/listen.js"),
  login: () => import("../commands/login.js"),
  logout: () => import("../commands/logout.js"),
  logs: () => import("../commands/logs.js"),
  replay: () => import("../commands/replay.js"),
  sandbox: () => import("../commands/sandbox.js"),
  status: () => import("../commands/status.js"),
  test: () => import("../commands/test.js"),
  trigger: () => import("../commands/trigger.js"),
  "update-url": () => import("../commands/update-url.js"),
  verify: () => import("../commands/verify.js"),
};

export type CommandName = keyof typeof COMMANDS;
/**
 * Every command's flags by name: what its module's `run` takes, the type its declaration in
 * src/commands/specs/ yields (FlagsOf), never written a second time.
 */
export type CommandFlags = {
  [N in CommandName]: Parameters<Awaited<ReturnType<(typeof COMMANDS)[N]>>["run"]>[0];
};

/** COMMANDS as TypeScript follows it for a generic name: loading command N gives a `run` taking N's flags. */
const MODULES: {
  [N in CommandName]: () => Promise<{ run(flags: CommandFlags[N], ctx: CommandContext): Promise<void> }>;
} = COMMANDS;

/**
 * What a command's action hands over: its name, its flags as declared (arguments merged in) and the global
 * flags. The real one imports the command and runs it; tests pass one that records the call (gh's runF).
 */
export type Runner = <N extends CommandName>(
  name: N,
  flags: CommandFlags[N],
  globals: GlobalFlags,
) => Promise<void>;

/** The global flags (declared on the program below) as a command's action sees them. */
function globalsOf(command: { optsWithGlobals(): object }): GlobalFlags {
  return command.optsWithGlobals() as GlobalFlags;
}

interface ProgramIO {
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** The second-interrupt signal, for the commands that ask for it (Interrupts.hurry). */
  hurry?: () => AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/**
 * `--api-key=…` is a likely guess from other CLIs, and its value a real key: commander's "unknown option"
 * error would show it. Only the flag is shown, in the error main reports (human and JSON).
 */
export function hideOptionValue(text: string): string {
  return text.replace(/(unknown option '-{1,2}[^=']*)=[^']*'/g, "$1=…'");
}

export function buildProgram(io: ProgramIO, runner?: Runner): Command {
  const program: Command = new Command("certwh");
  program
    // How every command's help looks (commander copies this to the commands declared below): the global flags
    // under "Global Options" (gh's INHERITED FLAGS, Stripe's "Global Flags"), and no "(default: false)" on
    // switches (absent means off; saying so is noise).
    .configureHelp({
      showGlobalOptions: true,
      visibleGlobalOptions(cmd) {
        // --version belongs to certwh itself, not to a command.
        return Help.prototype.visibleGlobalOptions.call(this, cmd).filter((o) => o.long !== "--version");
      },
      optionDescription(option) {
        const plain =
          option.isBoolean() && typeof option.defaultValue === "boolean"
            ? (Object.create(option, { defaultValue: { value: undefined } }) as Option)
            : option;
        return Help.prototype.optionDescription.call(this, plain);
      },
    })
    .description("Set up, test and run DigiCert CertCentral webhooks.")
    .version(version(), "-V, --version", "print certwh's version")
    .option("--json", "print one JSON document on stdout (NDJSON for listen)", false)
    .option("--no-color", "no colours (wins over FORCE_COLOR; also NO_COLOR, TERM=dumb)")
    .option("--verbose", "trace API requests and responses on stderr (secrets redacted)", false)
    .option("--no-input", "never prompt (automatic without a TTY or when CI is set)")
    .option("-y, --yes", "confirm destructive or risky steps without asking", false)
    .option("--profile <name>", "configuration profile (env CERTWH_PROFILE)")
    .addOption(
      new Option("--region <region>", "CertCentral instance (env CERTWH_REGION)").choices(["us", "eu"]),
    )
    .option("--base-url <url>", "Services API base URL, e.g. a sandbox's (env CERTWH_BASE_URL)")
    .addOption(
      // Checked as the command line is read: a bad value is refused by every command, not only by those
      // that make an API call (the variable and the profile's key are checked only where they are used).
      new Option(
        "--request-timeout <seconds>",
        "timeout of each API request, 1–3600 (env CERTWH_REQUEST_TIMEOUT; default 30)",
      ).argParser(checkRequestTimeoutFlag),
    )
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      // A parse error is thrown (exitOverride) and reported by main as every other usage error is.
      outputError: () => {},
    })
    .addHelpText(
      "after",
      `
Examples:
  $ certwh sandbox                                   # a local CertCentral to try everything
  $ certwh create --url https://hooks.example.com/certcentral --generate-secret
  $ certwh status --json
  $ certwh listen --forward-to http://localhost:3000/webhooks

Run \`certwh help <command>\` for a command's flags and examples.`,
    );

  const run: Runner =
    runner ??
    (async (name, flags, globals) => {
      const [mod, context, output] = await Promise.all([
        MODULES[name](),
        import("../commands/context.js"),
        import("../io/output.js"),
      ]);
      // chalk is loaded only when stderr will really show colour (not for scripts and pipes).
      const colour = output.colourOn(globals.color, io.env ?? process.env, process.stderr);
      const chalk = colour ? await output.loadChalk() : undefined;
      const ctx = context.createContext({
        globals,
        env: io.env,
        signal: io.signal,
        hurry: io.hurry,
        chalk,
      });
      await mod.run(flags, ctx);
    });

  // In this order in the help, under these headings (commander's help groups).
  program.commandsGroup("Webhook lifecycle:");
  statusCommand(program).action((flags, cmd) => run("status", flags, globalsOf(cmd)));
  createCommand(program).action((flags, cmd) => run("create", flags, globalsOf(cmd)));
  updateUrlCommand(program).action((flags, cmd) => run("update-url", flags, globalsOf(cmd)));
  testCommand(program).action((flags, cmd) => run("test", flags, globalsOf(cmd)));
  challengeCommand(program).action((flags, cmd) => run("challenge", flags, globalsOf(cmd)));
  verifyCommand(program).action((flags, cmd) => run("verify", flags, globalsOf(cmd)));
  activateCommand(program).action((flags, cmd) => run("activate", flags, globalsOf(cmd)));
  deactivateCommand(program).action((flags, cmd) => run("deactivate", flags, globalsOf(cmd)));
  deleteCommand(program).action((flags, cmd) => run("delete", flags, globalsOf(cmd)));
  logsCommand(program).action((flags, cmd) => run("logs", flags, globalsOf(cmd)));

  program.commandsGroup("Local development:");
  listenCommand(program).action((flags, cmd) => run("listen", flags, globalsOf(cmd)));
  replayCommand(program).action((flags, cmd) => run("replay", flags, globalsOf(cmd)));
  inspectCommand(program).action((flags, cmd) => run("inspect", flags, globalsOf(cmd)));
  sandboxCommand(program).action((flags, cmd) => run("sandbox", flags, globalsOf(cmd)));
  triggerCommand(program).action((event, flags, cmd) => run("trigger", { ...flags, event }, globalsOf(cmd)));

  program.commandsGroup("Configuration:");
  loginCommand(program).action((flags, cmd) => run("login", flags, globalsOf(cmd)));
  logoutCommand(program).action((flags, cmd) => run("logout", flags, globalsOf(cmd)));
  const config = configCommand(program);
  configPathCommand(config).action((_, cmd) => run("config", { action: "path" }, globalsOf(cmd)));
  configListCommand(config).action((_, cmd) => run("config", { action: "list" }, globalsOf(cmd)));
  configGetCommand(config).action((key, _, cmd) => run("config", { action: "get", key }, globalsOf(cmd)));
  configSetCommand(config).action((key, value, _, cmd) =>
    run("config", { action: "set", key, value }, globalsOf(cmd)),
  );
  configUnsetCommand(config).action((key, _, cmd) => run("config", { action: "unset", key }, globalsOf(cmd)));

  program.commandsGroup("Help and shell:");
  eventTypesCommand(program).action((flags, cmd) => run("event-types", flags, globalsOf(cmd)));
  completionCommand(program).action((shell, flags, cmd) =>
    run("completion", { ...flags, shell, program }, globalsOf(cmd)),
  );
  program.helpCommand(true);

  refuseRepeatedFlags(program);
  checkRequiredFlagsLast(program);
  return program;
}
