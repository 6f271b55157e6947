package pgstore_test

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// nopDB is a DB that fails every call, for the tests of options refused before any call.
type nopDB struct{}

var errNop = errors.New("nopDB")

func (nopDB) Exec(context.Context, string, ...any) (pgconn.CommandTag, error) {
	return pgconn.CommandTag{}, errNop
}
func (nopDB) Query(context.Context, string, ...any) (pgx.Rows, error) { return nil, errNop }
func (nopDB) QueryRow(context.Context, string, ...any) pgx.Row        { return nil }
func (nopDB) Begin(context.Context) (pgx.Tx, error)                   { return nil, errNop }
