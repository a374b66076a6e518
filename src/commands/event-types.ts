import { EVENT_TYPES } from "../events/catalogue.js";
import type { CommandContext } from "./context.js";
import type { EventTypesFlags } from "./specs/misc.js";

export async function run(opts: EventTypesFlags, ctx: Pick<CommandContext, "io">): Promise<void> {
  const types = EVENT_TYPES.filter((t) => opts.all || t.subscribable);
  const width = Math.max(...types.map((t) => t.name.length));
  const lines = types.map(
    (t) =>
      `${t.name.padEnd(width)}  ${t.description}${t.guessedPayload ? " [payload not documented by DigiCert]" : ""}`,
  );
  ctx.io.result(
    types.map((t) => ({
      name: t.name,
      description: t.description,
      subscribable: t.subscribable,
      payload_documented: !t.guessedPayload,
    })),
    lines,
  );
}
