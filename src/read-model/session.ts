/**
 * What the read side needs of D1: a way to prepare statements. In production each read runs in a D1 session
 * (`withSession`), so a read replica near the Worker may answer it; writes (the objects' outboxes) stay on
 * the primary. The read model is eventually consistent already: a replica only adds that one request may
 * see a little less than the one before it (docs/API.md, "Read model").
 */
export type ReadModel = Pick<D1Database, "prepare">;

/** A session for one request's reads: the first query goes to any replica, later ones see at least as much. */
export const readModelOf = (db: D1Database): ReadModel => db.withSession("first-unconstrained");
