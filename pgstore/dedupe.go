package pgstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
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
	db    DB
	o     options
	q     dedupeSQL
	dones atomic.Uint64

	holds lease.Holds // keys held by callers in this process
}

type dedupeSQL struct{ claim, state, done, release, purge string }

var _ webhook.Deduper = (*Deduper)(nil)

// NewDeduper returns a Deduper on db. Options: WithTablePrefix, WithLease, WithDoneTTL,
// WithPollInterval. It returns an error for an invalid option; it does not touch the
// database.
func NewDeduper(db DB, opts ...Option) (*Deduper, error) {
	if db == nil {
		return nil, errors.New("pgstore: NewDeduper with nil DB")
	}
	o, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	t := o.prefix + "dedupe"
	q := dedupeSQL{
		claim: `INSERT INTO ` + t + ` AS d (key, state, owner, updated_at, expires_at)
VALUES ($1, 'claimed', $2, now(), now() + $3 * interval '1 millisecond')
ON CONFLICT (key) DO UPDATE SET state = 'claimed', owner = EXCLUDED.owner, updated_at = now(), expires_at = EXCLUDED.expires_at
WHERE d.expires_at <= now() OR d.owner = EXCLUDED.owner`,
		state: `SELECT state FROM ` + t + ` WHERE key = $1 AND expires_at > now()`,
		done: `INSERT INTO ` + t + ` AS d (key, state, owner, updated_at, expires_at)
VALUES ($1, 'done', NULL, now(), now() + $2 * interval '1 millisecond')
ON CONFLICT (key) DO UPDATE SET state = 'done', owner = NULL, updated_at = now(), expires_at = EXCLUDED.expires_at`,
		release: `DELETE FROM ` + t + ` WHERE key = $1 AND owner = $2`,
		purge:   `DELETE FROM ` + t + ` WHERE key IN (SELECT key FROM ` + t + ` WHERE expires_at <= now() LIMIT $1)`,
	}
	return &Deduper{db: db, o: o, q: q}, nil
}

const firstPoll = 5 * time.Millisecond

// Claim implements webhook.Deduper.
func (d *Deduper) Claim(ctx context.Context, key string) (bool, error) {
	h, err := d.holds.Acquire(ctx, key)
	if err != nil {
		return false, err
	}
	k := boundKey(key)
	token := uuid.NewString()
	wait := firstPoll
	for {
		claimed, done, err := d.try(ctx, k, token)
		if err != nil {
			// The claim may have been taken with its answer lost: give it up where the
			// database allows, so that the provider's next delivery need not wait for the
			// lease.
			d.giveUp(ctx, k, token)
			d.holds.Release(key, h)
			if ctx.Err() != nil {
				return false, ctx.Err()
			}
			return false, fmt.Errorf("pgstore: claim: %w", err)
		}
		switch {
		case claimed:
			d.holds.Claimed(h, token)
			return true, nil
		case done:
			d.holds.Release(key, h)
			return false, nil
		}
		// Held by another replica: look again until it is marked, released or expires.
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			d.holds.Release(key, h)
			return false, ctx.Err()
		}
		wait = min(2*wait, d.o.poll)
	}
}

// try claims k once: claimed, or marked done, or neither (held by another claim, or gone
// between the two statements: try again).
func (d *Deduper) try(ctx context.Context, k, token string) (claimed, done bool, err error) {
	tag, err := d.db.Exec(ctx, d.q.claim, k, token, d.o.lease.Milliseconds())
	if err != nil {
		return false, false, err
	}
	if tag.RowsAffected() == 1 {
		return true, false, nil
	}
	var state string
	switch err := d.db.QueryRow(ctx, d.q.state, k).Scan(&state); {
	case errors.Is(err, pgx.ErrNoRows):
		return false, false, nil
	case err != nil:
		return false, false, err
	}
	return false, state == "done", nil
}

// Done implements webhook.Deduper.
func (d *Deduper) Done(ctx context.Context, key string) error {
	k := boundKey(key)
	h := d.holds.Owned(key)
	err := lease.Retry(ctx, d.o.retry, func(ctx context.Context) error {
		_, err := d.db.Exec(ctx, d.q.done, k, d.o.doneTTL.Milliseconds())
		return err
	}, permanent)
	if err != nil && h != nil {
		// Leave the key claimable rather than held until the lease ends, where possible.
		d.giveUp(ctx, k, h.Token())
	}
	if h != nil {
		d.holds.Release(key, h)
	}
	if err != nil {
		return fmt.Errorf("pgstore: done: %w", err)
	}
	if d.dones.Add(1)%1000 == 0 {
		_, _ = d.purge(ctx, 1000)
	}
	return nil
}

// Release implements webhook.Deduper.
func (d *Deduper) Release(ctx context.Context, key string) error {
	h := d.holds.Owned(key)
	if h == nil {
		return nil // not held by this process: nothing of ours to give up
	}
	err := lease.Retry(ctx, d.o.retry, func(ctx context.Context) error {
		_, err := d.db.Exec(ctx, d.q.release, boundKey(key), h.Token())
		return err
	}, permanent)
	d.holds.Release(key, h)
	if err != nil {
		return fmt.Errorf("pgstore: release: %w", err)
	}
	return nil
}

// Purge deletes the rows whose claim or mark has expired and returns how many. Done does a
// little of it as it goes; a merchant may also run it from a periodic job.
func (d *Deduper) Purge(ctx context.Context) (int64, error) {
	var total int64
	for {
		n, err := d.purge(ctx, 10_000)
		total += n
		if err != nil {
			return total, fmt.Errorf("pgstore: purge: %w", err)
		}
		if n < 10_000 {
			return total, nil
		}
	}
}

func (d *Deduper) purge(ctx context.Context, limit int) (int64, error) {
	tag, err := d.db.Exec(ctx, d.q.purge, limit)
	return tag.RowsAffected(), err
}

// giveUp deletes k's row if it still holds token, once, briefly, ignoring errors.
func (d *Deduper) giveUp(ctx context.Context, k, token string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	_, _ = d.db.Exec(ctx, d.q.release, k, token)
}

// permanent reports an error the store answered with itself: retrying will not help.
func permanent(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && !transient(pgErr)
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
