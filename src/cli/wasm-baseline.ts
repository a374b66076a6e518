// undici parses HTTP with WebAssembly (llhttp). V8 compiles it with its baseline compiler (Liftoff), then
// again with its optimizing compiler in the background; a command that is done must wait for that second
// compile before Node can exit (about 100 ms of `certwh status`), and in listen it is a transient of about
// 28 MB of RSS. Liftoff's code parses CertCentral's answers fast enough. A process-wide V8 setting, so it
// is made by the CLI (when it builds an API client, and in listen), never by the library.

import { setFlagsFromString } from "node:v8";

let set = false;

export function compileWasmWithBaselineOnly(): void {
  if (set) return;
  set = true;
  setFlagsFromString("--liftoff-only");
}
