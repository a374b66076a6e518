// The open challenge's countdown: CertCentral's token is valid 30 minutes from challenge_sent's deadline.
// It ticks every second while a challenge is open and stops when listen reports the outcome.
import { minutes } from "./stages.js";

let timer;
let deadline = 0;
let label = "";

function show(node, text, state) {
  node.textContent = text;
  node.dataset.state = state;
}

function tick(node) {
  const left = deadline - Date.now();
  if (left <= 0) {
    stopCountdown(node, `Expired: the token of ${label} was not used in time`, "expired");
    return;
  }
  show(node, `${minutes(left)} left · ${label}`, "open");
}

/** Starts (or restarts) the countdown to `deadlineIso`, showing `what` next to the time left. */
export function startCountdown(node, deadlineIso, what) {
  clearInterval(timer);
  deadline = Date.parse(deadlineIso);
  label = what;
  if (Number.isNaN(deadline)) {
    show(node, what, "open");
    return;
  }
  tick(node);
  timer = setInterval(() => tick(node), 1000);
}

/** Stops the countdown (if any) and shows the outcome; `state` lands in data-state for styles and tests. */
export function stopCountdown(node, text, state) {
  clearInterval(timer);
  timer = undefined;
  show(node, text, state);
}
