// The command table: global flags, then each area's commands (src/cli/register/*). Command code is
// imported only when its command runs, so --help and --version load nothing heavy; so is the command
// context (Output, chalk, the prompter), which only a running command needs.

import type { GlobalFlags } from "../config/types.js";
import { version } from "../util/version.js";
import { Command, Option } from "./commander.js";
import { register as registerConfig } from "./register/config.js";
import { register as registerLifecycle } from "./register/lifecycle.js";
import { register as registerListen } from "./register/listen.js";
import { register as registerMisc } from "./register/misc.js";
import { register as registerSandbox } from "./register/sandbox.js";
import type { Runner } from "./runner.js";

interface CommandModule {
  run(opts: unknown, ctx: unknown): Promise<void>;
}

/** Each command's code, imported only when it runs. */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  activate: () => import("../commands/activate.js"),
  challenge: () => import("../commands/challenge.js"),
  completion: () => import("./completion.js"),
  config: () => import("../commands/config.js"),
  create: () => import("../commands/create.js"),
  deactivate: () => import("../commands/deactivate.js"),
  delete: () => import("../commands/delete.js"),
  "event-types": () => import("../commands/event-types.js"),
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

export interface ProgramIO {
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export function buildProgram(io: ProgramIO): Command {
  const program = new Command("certwh");
  program
    .description("Set up, test and run DigiCert CertCentral webhooks.")
    .version(version(), "-V, --version", "print certwh's version")
    .option("--json", "print one JSON document on stdout (NDJSON for listen)", false)
    .option("--no-color", "no colours (also NO_COLOR)")
    .option("--verbose", "trace API requests and responses on stderr (secrets redacted)", false)
    .option("--no-input", "never prompt (automatic without a TTY or when CI is set)")
    .option("-y, --yes", "confirm destructive or risky steps without asking", false)
    .option("--profile <name>", "configuration profile (env CERTWH_PROFILE)")
    .addOption(
      new Option("--region <region>", "CertCentral instance (env CERTWH_REGION)").choices(["us", "eu"]),
    )
    .option("--base-url <url>", "Services API base URL, e.g. a sandbox's (env CERTWH_BASE_URL)")
    .option(
      "--request-timeout <seconds>",
      "timeout of each API request (env CERTWH_REQUEST_TIMEOUT; default 30)",
    )
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
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

  const run: Runner = async (name, options, command) => {
    const globals = command.optsWithGlobals() as unknown as GlobalFlags;
    const [mod, context, output] = await Promise.all([
      COMMANDS[name](),
      import("../commands/context.js"),
      import("../io/output.js"),
    ]);
    // chalk is loaded only when stderr will really show colour.
    const chalk = context.colourWanted(globals, io.env) ? await output.loadChalk() : undefined;
    const ctx = context.createContext({ globals, env: io.env, signal: io.signal, chalk });
    await mod.run(options, ctx);
  };

  registerLifecycle(program, run);
  registerConfig(program, run);
  registerSandbox(program, run);
  registerListen(program, run);
  registerMisc(program, run);
  return program;
}
