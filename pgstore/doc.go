// Package pgstore keeps paygate's shared state in PostgreSQL through
// github.com/jackc/pgx/v5, so that several replicas of a merchant's backend behind a load
// balancer agree on it: which callbacks were handled ([NewDeduper], a [webhook.Deduper]), and
// what the tracker and the router keep.
//
// # Schema
//
// Every table lives under a name prefix (default "paygate_", see [WithTablePrefix]) in the
// connection's search_path. [Migrate] creates what is missing, idempotently, from SQL files
// embedded in the package (sql/*.sql, applied in lexical order inside one transaction under
// an advisory lock, so replicas starting together may all call it). Merchants who migrate
// with their own tool take the same statements from [Schema] instead (a one-line program
// printing pgstore.Schema() into a migration file), with the same prefix the stores get.
//
// The dedupe table (prefix + "dedupe"):
//
//	key        text PRIMARY KEY, at most 255 bytes (longer keys are stored as "sha256:" + hex)
//	state      text NOT NULL, 'claimed' or 'done'
//	owner      uuid, the claim's token (NULL when done)
//	updated_at timestamptz NOT NULL
//	expires_at timestamptz NOT NULL, end of the lease or of the mark; indexed
//
// The statements only ever add (CREATE ... IF NOT EXISTS); a later paygate version that
// changes a table adds a new file, never edits an old one.
//
// # Claims
//
// A Deduper's claim is a lease with an owner token, renewed every third of the lease while
// it is held (UPDATE ... WHERE key AND owner), from Claim until Done or Release: a merchant's
// function slower than the lease keeps its claim, and no other replica runs it concurrently.
// A renewal that finds the claim gone or another's, or none that reaches the database before
// the lease ends, loses the claim: the webhook cancels the function's context
// (webhook.ErrClaimLost); a function that then fails is answered 500 and the callback is not
// marked handled (one that returns nil did its work, and is marked).
// [Deduper.Close] stops the renewals, as the process ending would. Connection errors (classes
// 08 and 57P) are retried by Done and Release for WithWriteRetry.
//
// # Connections
//
// Every store takes a [DB]: a *pgxpool.Pool in production. Each method runs single
// statements (autocommit) except [Migrate], which uses one transaction. The Deduper's and the
// RouterStore's timestamps are the server's (now()), so replicas whose clocks disagree still
// agree on leases and expiries; TrackerStore compares the tracker's clock (tracker.WithClock).
//
// # Retention
//
// The Deduper deletes expired rows as it goes, and [Deduper.Purge] the rest. The RouterStore
// keeps every order until [RouterStore.Purge] deletes those last written more than an age ago
// (redisstore keeps them 90 days): run both from a periodic job.
package pgstore
