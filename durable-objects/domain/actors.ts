/**
 * (v1.2) Who made a move: the name of the token an HTTP call came with, the name a bound Worker passes
 * (`rpc` when it passes none), or `system` for what an alarm does on its own (expiry, recovery, retries).
 */
export type Actor = string;

export const SYSTEM_ACTOR: Actor = "system";
export const RPC_ACTOR: Actor = "rpc";

/** Names the service records itself: no token or binding may take them. */
export const RESERVED_ACTORS: readonly Actor[] = [SYSTEM_ACTOR, RPC_ACTOR];

/** What a token's or binding's name may be. */
export const ACTOR_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
