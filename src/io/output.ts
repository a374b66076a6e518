// The only module that writes to the terminal. stdout carries data (one JSON document under --json,
// NDJSON for listen); stderr carries everything a person reads. Every line passes through redact().

import type { Writable } from "node:stream";
import { Chalk, type ChalkInstance } from "chalk";
import { redact } from "../util/redact.js";

export interface OutputStream extends Pick<Writable, "write"> {
  isTTY?: boolean;
  columns?: number;
}

export interface OutputOptions {
  stdout: OutputStream;
  stderr: OutputStream;
  json?: boolean;
  color?: boolean;
  verbose?: boolean;
}

export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  /** Colours for stderr text; level 0 under NO_COLOR, --no-color or a non-TTY stderr. */
  readonly c: ChalkInstance;
  private readonly out: OutputStream;
  private readonly err: OutputStream;
  private liveLine = false;

  constructor(opts: OutputOptions) {
    this.out = opts.stdout;
    this.err = opts.stderr;
    this.json = opts.json ?? false;
    this.verbose = opts.verbose ?? false;
    const color = (opts.color ?? true) && opts.stderr.isTTY === true;
    this.c = new Chalk({ level: color ? 1 : 0 });
  }

  get stderrIsTTY(): boolean {
    return this.err.isTTY === true;
  }

  get stdoutIsTTY(): boolean {
    return this.out.isTTY === true;
  }

  // ---- stdout: data ----

  /** One JSON document on stdout (pretty on a TTY, compact otherwise). */
  writeJson(value: unknown): void {
    const text = this.out.isTTY ? JSON.stringify(value, null, 2) : JSON.stringify(value);
    this.out.write(`${redact(text)}\n`);
  }

  /** One NDJSON line on stdout (listen). */
  ndjson(value: unknown): void {
    this.out.write(`${redact(JSON.stringify(value))}\n`);
  }

  /**
   * One NDJSON line on stdout, NOT redacted: only for a throwaway credential the user must see to use what
   * certwh started (the in-process sandbox's API key of `listen --sandbox`). Nothing else.
   */
  revealNdjson(value: unknown): void {
    this.out.write(`${JSON.stringify(value)}\n`);
  }

  /** A stderr line, NOT redacted: same restriction as revealNdjson(). */
  revealInfo(text: string): void {
    this.clearLive();
    this.err.write(`${text}\n`);
  }

  /** Human-readable data on stdout (tables, the webhook description). */
  print(text = ""): void {
    this.clearLive();
    this.out.write(`${redact(text)}\n`);
  }

  /** The command's result: `value` as JSON under --json, otherwise `human` lines on stdout. */
  result(value: unknown, human: string | string[]): void {
    if (this.json) {
      this.writeJson(value);
      return;
    }
    for (const line of Array.isArray(human) ? human : [human]) this.print(line);
  }

  /**
   * Like result(), but NOT redacted: only for a secret the user explicitly asked to see
   * (`status --show-secret`, a secret `create --generate-secret` shows once). Nothing else.
   */
  revealResult(value: unknown, human: string | string[]): void {
    if (this.json) {
      this.out.write(`${this.out.isTTY ? JSON.stringify(value, null, 2) : JSON.stringify(value)}\n`);
      return;
    }
    this.clearLive();
    for (const line of Array.isArray(human) ? human : [human]) this.out.write(`${line}\n`);
  }

  /** A finished action: `value` as JSON under --json; the sentence on stderr either way. */
  done(value: unknown, message: string): void {
    if (this.json) this.writeJson(value);
    this.success(message);
  }

  // ---- stderr: people ----

  private line(text: string): void {
    this.clearLive();
    this.err.write(`${redact(text)}\n`);
  }

  info(text: string): void {
    this.line(text);
  }

  success(text: string): void {
    this.line(`${this.c.green("✓")} ${text}`);
  }

  warn(text: string): void {
    this.line(`${this.c.yellow("!")} ${text}`);
  }

  error(text: string): void {
    this.line(`${this.c.red("✗")} ${text}`);
  }

  hint(text: string): void {
    this.line(`  ${this.c.dim(text)}`);
  }

  /** Request traces and internals, only with --verbose. */
  debug(text: string): void {
    if (this.verbose) this.line(this.c.dim(`[debug] ${text}`));
  }

  /**
   * A progress line that updates in place on a TTY; without a TTY, only changed texts are printed,
   * each on a line of its own.
   */
  live(text: string, lastPlain?: { value?: string }): void {
    if (this.err.isTTY) {
      this.err.write(`\r\x1b[2K${redact(text)}`);
      this.liveLine = true;
      return;
    }
    if (lastPlain && lastPlain.value === text) return;
    if (lastPlain) lastPlain.value = text;
    this.err.write(`${redact(text)}\n`);
  }

  clearLive(): void {
    if (this.liveLine) {
      this.err.write("\r\x1b[2K");
      this.liveLine = false;
    }
  }
}
