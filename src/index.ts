// Package entry: the parts of certwh usable as a library.
export * from "./api/errors.js";
export type * from "./api/types.js";
export * from "./errors.js";
export * from "./events/catalogue.js";
