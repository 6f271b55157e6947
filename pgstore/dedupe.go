package pgstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/paygate-go/paygate/internal/lease"
	"github.com/paygate-go/paygate/webhook"
)

// MaxKeyBytes bounds the webhook key stored in the dedupe table: a longer one (an order ID
// of a kilobyte), or one PostgreSQL text cannot hold (a NUL byte, invalid UTF-8), is stored
// as "sha256:" and the hex SHA-256 of it.
const MaxKeyBytes = 255

// Deduper is a [webhook.Deduper] on a PostgreSQL table, shared by every replica using the
// same database and table prefix. Make it with [NewDeduper] after [Migrate] (or the
// statements of [Schema]) created the table, prefix + "dedupe".
//
// Each webhook key is one row under the table's primary key, which is what makes concurrent
// claims safe:
//
//   - Claim inserts the row in state 'claimed' with a fresh owner token and expires_at =
//     now() + lease (INSERT ... ON CONFLICT DO UPDATE ... WHERE expires_at <= now(), so an
//     expired claim — a replica that died holding it — or an expired mark is taken over in
//     the same statement). When the row is held by another claim, Claim polls until it is
//     marked, deleted or expired.
//   - Done sets the row to state 'done' with expires_at = now() + done TTL, whoever holds it:
//     the callback was handled, a fact the store must not lose, even when this replica's
//     lease had run out and another replica took the claim over.
//   - Release deletes the row only while it is this claim's (owner = token): a replica whose
//     lease ran out cannot release the claim of the replica that took over, nor undo a mark.
//
// Times are the server's now(). Expired rows are deleted now and then by Done (at most 1000
// per 1000 Dones) and by [Deduper.Purge].
//
// The token is kept in the process, by key: webhook.Deduper's methods carry no token, and
// the webhook handler calls Claim, then Done or Release, for one key from one request. So
// that a key has one token per process, callers in one process that claim the same key wait
// for each other in the process (as with webhook.NewMemoryDeduper) before one of them asks
// the database. Use one Deduper per process, shared by its handlers.
//
// When the database does not answer, Claim returns the error (the handler answers 500 and
// the provider delivers again), after trying to give up a claim whose answer was lost. Done
// and Release retry for a while (WithWriteRetry): a callback handled while the database was
// briefly away is still marked, so its next delivery is not handled again. A Done that
// still fails tries to release the claim; when that fails too, the key becomes claimable
// when the lease ends — and the callback may then be handled again, as the webhook.Deduper
// contract says.
type Deduper struct {
	l     *lease.Deduper
	s     *dedupeStore
	dones atomic.Uint64
}

var (
	_ webhook.Deduper = (*Deduper)(nil)
	_ webhook.Holder  = (*Deduper)(nil)
)

// NewDeduper returns a Deduper on db. Options: WithTablePrefix, WithLease, WithDoneTTL,
// WithPollInterval, WithWriteRetry. It returns an error for an invalid option; it does not
// touch the database.
func NewDeduper(db DB, opts ...Option) (*Deduper, error) {
	if db == nil {
		return nil, errors.New("pgstore: NewDeduper with nil DB")
	}
	o, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	t := o.Prefix + "dedupe"
	s := &dedupeStore{db: db, o: o, q: dedupeSQL{
		claim: `INSERT INTO ` + t + ` AS d (key, state, owner, updated_at, expires_at)
VALUES ($1, 'claimed', $2, now(), now() + $3 * interval '1 millisecond')
ON CONFLICT (key) DO UPDATE SET state = 'claimed', owner = EXCLUDED.owner, updated_at = now(), expires_at = EXCLUDED.expires_at
WHERE d.expires_at <= now() OR d.owner = EXCLUDED.owner`,
		state: `SELECT state FROM ` + t + ` WHERE key = $1 AND expires_at > now()`,
		done: `INSERT INTO ` + t + ` AS d (key, state, owner, updated_at, expires_at)
VALUES ($1, 'done', NULL, now(), now() + $2 * interval '1 millisecond')
ON CONFLICT (key) DO UPDATE SET state = 'done', owner = NULL, updated_at = now(), expires_at = EXCLUDED.expires_at`,
		release: `DELETE FROM ` + t + ` WHERE key = $1 AND owner = $2`,
		extend: `UPDATE ` + t + ` SET updated_at = now(), expires_at = now() + $3 * interval '1 millisecond'
WHERE key = $1 AND owner = $2 AND state = 'claimed'`,
		purge: `DELETE FROM ` + t + ` WHERE key IN (SELECT key FROM ` + t + ` WHERE expires_at <= now() LIMIT $1)`,
	}}
	return &Deduper{l: lease.NewDeduper("pgstore", s, o), s: s}, nil
}

// Claim implements webhook.Deduper.
func (d *Deduper) Claim(ctx context.Context, key string) (bool, error) { return d.l.Claim(ctx, key) }

// Done implements webhook.Deduper. Every 1000th Done also deletes up to 1000 expired rows.
func (d *Deduper) Done(ctx context.Context, key string) error {
	if err := d.l.Done(ctx, key); err != nil {
		return err
	}
	if d.dones.Add(1)%1000 == 0 {
		_, _ = d.s.purge(ctx, 1000)
	}
	return nil
}

// Release implements webhook.Deduper.
func (d *Deduper) Release(ctx context.Context, key string) error { return d.l.Release(ctx, key) }

// Hold implements webhook.Holder: the context is cancelled, with cause webhook.ErrClaimLost,
// once this process's claim of key is lost.
func (d *Deduper) Hold(ctx context.Context, key string) (context.Context, context.CancelFunc) {
	return d.l.Hold(ctx, key)
}

// Close stops renewing the leases of the claims this Deduper holds, as the process ending
// would, without giving them up: their Hold contexts are cancelled, and other replicas take
// them over once their leases end. Done and Release still work. It does not close the DB.
func (d *Deduper) Close() error { return d.l.Close() }

// Purge deletes the rows whose claim or mark has expired and returns how many. Done does a
// little of it as it goes; a merchant may also run it from a periodic job.
func (d *Deduper) Purge(ctx context.Context) (int64, error) {
	var total int64
	for {
		n, err := d.s.purge(ctx, 10_000)
		total += n
		if err != nil {
			return total, fmt.Errorf("pgstore: purge: %w", err)
		}
		if n < 10_000 {
			return total, nil
		}
	}
}

// dedupeStore is the Deduper's lease.Store: one row per webhook key.
type dedupeStore struct {
	db DB
	o  lease.Options
	q  dedupeSQL
}

type dedupeSQL struct{ claim, state, done, release, extend, purge string }

// Claim implements lease.Store: claimed, or marked done, or neither (held by another claim,
// or gone between the two statements: try again).
func (s *dedupeStore) Claim(ctx context.Context, key, token string) (claimed, done bool, err error) {
	k := boundKey(key)
	tag, err := s.db.Exec(ctx, s.q.claim, k, token, s.o.Lease.Milliseconds())
	if err != nil {
		return false, false, err
	}
	if tag.RowsAffected() == 1 {
		return true, false, nil
	}
	var state string
	switch err := s.db.QueryRow(ctx, s.q.state, k).Scan(&state); {
	case errors.Is(err, pgx.ErrNoRows):
		return false, false, nil
	case err != nil:
		return false, false, err
	}
	return false, state == "done", nil
}

// Done implements lease.Store.
func (s *dedupeStore) Done(ctx context.Context, key string) error {
	_, err := s.db.Exec(ctx, s.q.done, boundKey(key), s.o.DoneTTL.Milliseconds())
	return err
}

// Release implements lease.Store.
func (s *dedupeStore) Release(ctx context.Context, key, token string) error {
	_, err := s.db.Exec(ctx, s.q.release, boundKey(key), token)
	return err
}

// Extend implements lease.Store.
func (s *dedupeStore) Extend(ctx context.Context, key, token string) (bool, error) {
	tag, err := s.db.Exec(ctx, s.q.extend, boundKey(key), token, s.o.Lease.Milliseconds())
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// Permanent implements lease.Store: an error the server answered with that is not about the
// connection.
func (s *dedupeStore) Permanent(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && !transient(pgErr)
}

func (s *dedupeStore) purge(ctx context.Context, limit int) (int64, error) {
	tag, err := s.db.Exec(ctx, s.q.purge, limit)
	return tag.RowsAffected(), err
}

// boundKey returns key, or its SHA-256 when it is longer than MaxKeyBytes or not text
// PostgreSQL can store.
func boundKey(key string) string {
	if len(key) <= MaxKeyBytes && utf8.ValidString(key) && !strings.ContainsRune(key, 0) {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// transient reports a server error that says the connection, not the statement, failed: the
// connection-exception class (08) and the operator-intervention class (57: the backend was
// terminated, the server is shutting down). The statement may be tried again on another
// connection; giving up there would let a concurrent delivery claim a callback already handled.
func transient(e *pgconn.PgError) bool {
	return strings.HasPrefix(e.Code, "08") || strings.HasPrefix(e.Code, "57P")
}
