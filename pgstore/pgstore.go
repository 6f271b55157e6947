package pgstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paygate-go/paygate/internal/lease"
)

// DB is what the stores need of a connection: *pgxpool.Pool, *pgx.Conn and pgx.Tx satisfy it.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Defaults of the options.
const (
	// DefaultTablePrefix starts the name of every table: paygate_dedupe, ...
	DefaultTablePrefix = "paygate_"
	// DefaultLease is how long a claim holds before another replica may take it over.
	DefaultLease = lease.DefaultLease
	// DefaultDoneTTL is how long a handled callback is remembered.
	DefaultDoneTTL = lease.DefaultDoneTTL
	// DefaultPollInterval is the longest a waiting claim sleeps between looks.
	DefaultPollInterval = lease.DefaultPollInterval
	// DefaultWriteRetry is how long Done and Release keep trying when the database does not answer.
	DefaultWriteRetry = lease.DefaultWriteRetry
)

// Option configures Migrate, Schema and the stores. An option a function does not use is
// ignored, so one option list can be shared by all of them.
type Option func(*lease.Options)

// WithTablePrefix sets the prefix of every table and index name (default
// DefaultTablePrefix). It must be a plain SQL identifier start: letters, digits and
// underscores, not starting with a digit, at most 40 bytes; use the connection's
// search_path to place the tables in a schema. The same prefix must be given to Migrate (or
// Schema) and to every store.
func WithTablePrefix(p string) Option {
	return func(o *lease.Options) {
		if !prefixRE.MatchString(p) {
			o.Err = fmt.Errorf("pgstore: table prefix %q: want letters, digits and underscores, not starting with a digit, at most 40 bytes", p)
			return
		}
		o.Prefix = p
	}
}

var prefixRE = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]{0,39})?$`)

// WithLease sets how long a claim holds before another replica may take it over (default
// DefaultLease). d <= 0 keeps the default.
func WithLease(d time.Duration) Option { return Option(lease.WithLease(d)) }

// WithDoneTTL sets how long a handled callback is remembered (default DefaultDoneTTL).
// d <= 0 keeps the default.
func WithDoneTTL(d time.Duration) Option { return Option(lease.WithDoneTTL(d)) }

// WithPollInterval sets the longest a waiting claim sleeps between looks at a key another
// replica holds (default DefaultPollInterval). d <= 0 keeps the default.
func WithPollInterval(d time.Duration) Option { return Option(lease.WithPollInterval(d)) }

// WithWriteRetry sets how long a Deduper's Done and Release keep trying when the database
// does not answer (default DefaultWriteRetry), so that a callback handled during a short
// outage is still marked. Keep it well under the lease. d < 0 means no retry.
func WithWriteRetry(d time.Duration) Option { return Option(lease.WithWriteRetry(d)) }

// resolve applies opts to the defaults; the error is the last invalid option's.
func resolve(opts []Option) (lease.Options, error) {
	o := lease.Resolve(DefaultTablePrefix, opts)
	return o, o.Err
}

//go:embed sql/*.sql
var sqlFiles embed.FS

// migrationLock is the pg_advisory_xact_lock key under which Migrate runs, so that replicas
// starting together do not race on CREATE ... IF NOT EXISTS.
const migrationLock int64 = 0x70617967617465 // "paygate"

// statements returns the embedded SQL files, in lexical order, with {{prefix}} replaced.
func statements(prefix string) ([]file, error) {
	names, err := fs.Glob(sqlFiles, "sql/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	files := make([]file, 0, len(names))
	for _, n := range names {
		b, err := sqlFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		files = append(files, file{name: n, sql: strings.ReplaceAll(string(b), "{{prefix}}", prefix)})
	}
	return files, nil
}

type file struct{ name, sql string }

// Migrate creates the tables and indexes every store in this package uses, where missing,
// under the prefix of WithTablePrefix. It runs every embedded SQL file in lexical order in
// one transaction holding an advisory lock, so replicas may all call it at start-up. It never
// drops or alters what exists.
func Migrate(ctx context.Context, db DB, opts ...Option) error {
	o, err := resolve(opts)
	if err != nil {
		return err
	}
	files, err := statements(o.Prefix)
	if err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
		return fmt.Errorf("pgstore: migrate: lock: %w", err)
	}
	for _, f := range files {
		if _, err := tx.Exec(ctx, f.sql); err != nil {
			return fmt.Errorf("pgstore: migrate: %s: %w", f.name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	return nil
}

// Schema returns the SQL that Migrate applies, for merchants who run migrations with their
// own tool: every statement is idempotent (CREATE ... IF NOT EXISTS). It panics on an
// invalid option, as it is meant for code generation and start-up.
func Schema(opts ...Option) string {
	o, err := resolve(opts)
	if err != nil {
		panic(err)
	}
	files, err := statements(o.Prefix)
	if err != nil {
		panic(err)
	}
	var b strings.Builder
	for i, f := range files {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "-- paygate pgstore: %s\n", strings.TrimPrefix(f.name, "sql/"))
		b.WriteString(f.sql)
	}
	return b.String()
}
