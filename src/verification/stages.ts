// The stages of the ownership handshake, as every command that verifies reports them: create, update-url
// and verify draw them on stderr, listen also prints them as NDJSON `state` lines (hence snake_case).

/** CertCentral's challenge tokens are valid for 30 minutes (spec §8.2). */
export const CHALLENGE_WINDOW_MS = 30 * 60 * 1000;

export type VerificationStage =
  | { stage: "testing" | "tested"; endpoint: string }
  | {
      stage: "challenge_sent";
      webhook_id: number;
      endpoint: string;
      deadline: string;
      deadline_ms: number;
      attempt: number;
      max_attempts: number;
    }
  | { stage: "waiting"; webhook_id: number; deadline: string; deadline_ms: number; time_left_ms: number }
  | { stage: "token_expired"; webhook_id: number; resend: boolean }
  /** retry: the same challenge's token is asked for again; resend: a new challenge follows. */
  | { stage: "token_refused"; webhook_id: number; retry?: { attempts_left: number }; resend: boolean }
  | { stage: "verified"; webhook_id: number }
  /** note: CertCentral refused or did not answer the activate, but the webhook read back is active. */
  | { stage: "activated"; webhook_id: number; note?: string };

export type StageName = VerificationStage["stage"];
