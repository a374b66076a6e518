// Every command's flags by name: what src/cli/program.ts hands each command's `run`. The flag types come
// from the declarations in this folder (FlagsOf), never written a second time.

import type { ConfigFlags, LoginFlags, LogoutFlags } from "./config.js";
import type {
  ActivateFlags,
  ChallengeFlags,
  CreateFlags,
  DeactivateFlags,
  DeleteFlags,
  LogsFlags,
  StatusFlags,
  TestFlags,
  UpdateUrlFlags,
  VerifyFlags,
} from "./lifecycle.js";
import type { InspectFlags, ListenFlags, ReplayFlags } from "./listen.js";
import type { CompletionFlags, EventTypesFlags } from "./misc.js";
import type { SandboxFlags, TriggerFlags } from "./sandbox.js";

export interface CommandFlags {
  status: StatusFlags;
  create: CreateFlags;
  "update-url": UpdateUrlFlags;
  test: TestFlags;
  challenge: ChallengeFlags;
  verify: VerifyFlags;
  activate: ActivateFlags;
  deactivate: DeactivateFlags;
  delete: DeleteFlags;
  logs: LogsFlags;
  login: LoginFlags;
  logout: LogoutFlags;
  config: ConfigFlags;
  sandbox: SandboxFlags;
  trigger: TriggerFlags;
  listen: ListenFlags;
  replay: ReplayFlags;
  inspect: InspectFlags;
  "event-types": EventTypesFlags;
  completion: CompletionFlags;
}

export type CommandName = keyof CommandFlags;
