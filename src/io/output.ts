// The only module that writes to the terminal. stdout carries data (one JSON document under --json,
// NDJSON for listen); stderr carries everything a person reads. Every line passes through redact(), and then
// through terminalText() (human text) or jsonTerminalSafe() (JSON), so text from the network or a file cannot
// drive the terminal (escape sequences, bidi overrides), while JSON still parses to exactly the same values.

import type { Writable } from "node:stream";
import type { ChalkInstance } from "chalk";
import { jsonTerminalSafe, terminalText } from "../util/printable.js";
import { redact, redactExcept } from "../util/redact.js";

/** Human text for a terminal: secrets masked, then control and format characters escaped. */
const safe = (text: string) => terminalText(redact(text));
/** A JSON text: secrets masked, unsafe characters as JSON escapes (the parsed value is unchanged). */
const safeJson = (json: string) => jsonTerminalSafe(redact(json));
/** How a string appears inside JSON text (quotes and backslashes escaped). */
const inJson = (text: string) => JSON.stringify(text).slice(1, -1);

export interface OutputStream extends Pick<Writable, "write"> {
  isTTY?: boolean;
  /** Present on real streams: lets listen's NDJSON lines of one tick leave in one write. */
  cork?(): void;
  uncork?(): void;
}

/** chalk's `Chalk` class. chalk is loaded (see loadChalk) only when colour will really be shown. */
export type ChalkConstructor = new (options?: { level?: 0 | 1 | 2 | 3 }) => ChalkInstance;

/** The styles Output uses on stderr. */
interface Styles {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  dim(text: string): string;
}

const same = (text: string) => text;
/** No colour: what chalk at level 0 does, without loading chalk (it costs every command start-up time). */
const PLAIN: Styles = { green: same, yellow: same, red: same, dim: same };

/**
 * Whether stderr shows colour. The first rule that applies decides (README, "Environment variables"):
 *   1. `--no-color`                      → no colour
 *   2. `FORCE_COLOR` set: "0" or "false" → no colour; any other value (even empty) → colour, even when
 *      stderr is not a terminal (as Node and chalk read it; it is the more specific request than NO_COLOR)
 *   3. `NO_COLOR` set and not empty      → no colour (no-color.org)
 *   4. `TERM=dumb`                       → no colour (such a terminal prints escape codes as text)
 *   5. otherwise colour exactly when stderr is a terminal.
 * `colorFlag` is commander's `color` global: false with --no-color.
 */
export function colourOn(
  colorFlag: boolean | undefined,
  env: NodeJS.ProcessEnv,
  stderr: Pick<OutputStream, "isTTY">,
): boolean {
  if (colorFlag === false) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return stderr.isTTY === true;
}

export async function loadChalk(): Promise<ChalkConstructor> {
  return (await import("chalk")).Chalk;
}

export interface OutputOptions {
  stdout: OutputStream;
  stderr: OutputStream;
  json?: boolean;
  /** Colour on stderr: what colourOn() decided (default: none). */
  color?: boolean;
  verbose?: boolean;
  /** Needed for colour: without it text is plain. */
  chalk?: ChalkConstructor;
  /** TERM=dumb: a terminal that prints cursor codes as text, so live() writes lines instead. */
  dumbTerminal?: boolean;
}

export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  /** Colours for stderr text; plain unless colourOn() said so and `chalk` was given. */
  readonly c: Styles;
  private readonly out: OutputStream;
  private readonly err: OutputStream;
  private liveLine = false;
  /** stderr is a terminal that can rewrite a line (not TERM=dumb): live() updates in place. */
  readonly inPlace: boolean;
  private stdoutCorked = false;

  constructor(opts: OutputOptions) {
    this.out = opts.stdout;
    this.err = opts.stderr;
    this.json = opts.json ?? false;
    this.verbose = opts.verbose ?? false;
    this.inPlace = this.err.isTTY === true && opts.dumbTerminal !== true;
    this.c = opts.color === true && opts.chalk ? new opts.chalk({ level: 1 }) : PLAIN;
  }

  // ---- stdout: data ----

  /** One JSON document on stdout (pretty on a TTY, compact otherwise). */
  writeJson(value: unknown): void {
    this.out.write(`${safeJson(JSON.stringify(value, null, this.out.isTTY ? 2 : undefined))}\n`);
  }

  /** One NDJSON line on stdout (listen). */
  ndjson(value: unknown): void {
    this.corkStdoutForThisTick();
    this.out.write(`${safeJson(JSON.stringify(value))}\n`);
  }

  /**
   * Under load listen prints a line per event, and a journal batch acknowledges many events in one tick: held
   * (corked) until the tick ends, they leave in one write instead of one system call each. Order is kept (every
   * stdout write goes through the same stream buffer), and nothing is held past the current tick.
   */
  private corkStdoutForThisTick(): void {
    const out = this.out;
    if (this.stdoutCorked || !out.cork || !out.uncork) return;
    this.stdoutCorked = true;
    out.cork();
    process.nextTick(() => {
      this.stdoutCorked = false;
      out.uncork?.();
    });
  }

  /**
   * One NDJSON line on stdout with `shown` NOT redacted: only for a throwaway credential the user must see to
   * use what certwh started (the in-process sandbox's API key of `listen --sandbox`). Nothing else; any other
   * secret in the line is still masked.
   */
  revealNdjson(value: unknown, shown: string): void {
    this.out.write(`${jsonTerminalSafe(redactExcept(JSON.stringify(value), inJson(shown)))}\n`);
  }

  /** A stderr line with `shown` NOT redacted: same restriction as revealNdjson(). */
  revealInfo(text: string, shown: string): void {
    this.clearLive();
    this.err.write(`${terminalText(redactExcept(text, shown))}\n`);
  }

  /** Human-readable data on stdout (tables, the webhook description). */
  print(text = ""): void {
    this.clearLive();
    this.out.write(`${safe(text)}\n`);
  }

  /** The command's result: `value` as JSON under --json, otherwise `human` lines on stdout. */
  result(value: unknown, human: string | string[]): void {
    if (this.json) this.writeJson(value);
    else for (const line of [human].flat()) this.print(line);
  }

  /**
   * Like result(), but `shown` is NOT redacted: only for a secret the user explicitly asked to see
   * (`status --show-secret`, a secret `create --generate-secret` shows once). Nothing else: any other secret
   * in the result (an API key a server echoed, say) is still masked.
   */
  revealResult(value: unknown, human: string | string[], shown: string): void {
    if (this.json) {
      const text = JSON.stringify(value, null, this.out.isTTY ? 2 : undefined);
      this.out.write(`${jsonTerminalSafe(redactExcept(text, inJson(shown)))}\n`);
      return;
    }
    this.clearLive();
    for (const line of [human].flat()) this.out.write(`${terminalText(redactExcept(line, shown))}\n`);
  }

  /** A finished action: `value` as JSON under --json; the sentence on stderr either way. */
  done(value: unknown, message: string): void {
    if (this.json) this.writeJson(value);
    this.success(message);
  }

  // ---- stderr: people ----

  /** `text` made safe first, then styled: the colour codes are certwh's own and must stay. */
  private line(text: string, style: (safeText: string) => string = (t) => t): void {
    this.clearLive();
    this.err.write(`${style(safe(text))}\n`);
  }

  info(text: string): void {
    this.line(text);
  }

  success(text: string): void {
    this.line(text, (t) => `${this.c.green("✓")} ${t}`);
  }

  warn(text: string): void {
    this.line(text, (t) => `${this.c.yellow("!")} ${t}`);
  }

  error(text: string): void {
    this.line(text, (t) => `${this.c.red("✗")} ${t}`);
  }

  hint(text: string): void {
    this.line(text, (t) => `  ${this.c.dim(t)}`);
  }

  /** Request traces and internals, only with --verbose. */
  debug(text: string): void {
    if (this.verbose) this.line(`[debug] ${text}`, (t) => this.c.dim(t));
  }

  /** A progress line that updates in place where it can (see inPlace); elsewhere a line of its own. */
  live(text: string): void {
    if (this.inPlace) {
      this.err.write(`\r\x1b[2K${safe(text)}`);
      this.liveLine = true;
    } else {
      this.err.write(`${safe(text)}\n`);
    }
  }

  clearLive(): void {
    if (this.liveLine) {
      this.err.write("\r\x1b[2K");
      this.liveLine = false;
    }
  }
}
