package webhook_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/webhook"
)

// tamper turns a good callback into one whose signature must not verify.
type tamper struct {
	name string
	fn   func(h http.Header, body []byte) (http.Header, []byte)
}

// gatewayCase is one provider, as exerciseGateway drives it.
type gatewayCase struct {
	name string
	gw   paygate.Gateway
	// good returns a well-signed callback: the same one or a fresh one on every call.
	good func() (http.Header, []byte)
	// tampers must each be refused as ErrInvalidSignature.
	tampers []tamper
}

// TestGateways runs every gateway through the same handler contract.
func TestGateways(t *testing.T) {
	fake := newFake("fake")
	cases := []gatewayCase{
		{name: "fake", gw: fake, good: fake.good("ORD-1", "paid"), tampers: fakeTampers(fake)},
		cashgitCase(t),
		// The other provider packages (caipay, deekpay, paypro, cashy) join this table as
		// they land, each from a function like cashgitCase: gw from their constructor with
		// a test secret, good from the document's sample callback signed with it, tampers
		// for what their scheme signs (a changed amount or status, a signature made with
		// another secret, a missing signature header or field).
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			exerciseGateway(t, c.gw, c.good, c.tampers...)
		})
	}
}

// fakeTampers are the forgeries the fake's scheme invites.
func fakeTampers(f *fakeGateway) []tamper {
	edit := func(change func(m map[string]string)) func(http.Header, []byte) (http.Header, []byte) {
		return func(h http.Header, body []byte) (http.Header, []byte) {
			m := decode(body)
			change(m)
			return h, encode(m)
		}
	}
	return []tamper{
		{"forged with another secret", func(h http.Header, body []byte) (http.Header, []byte) {
			m := decode(body)
			return h, sign(m, "not-"+f.secret)
		}},
		{"amount changed after signing", edit(func(m map[string]string) { m["amount"] = "100000.00" })},
		{"status changed after signing", edit(func(m map[string]string) { m["status"] = "failed" })},
		{"field added after signing", edit(func(m map[string]string) { m["extra"] = "x" })},
		{"signature missing", edit(func(m map[string]string) { delete(m, "sign") })},
		{"signature empty", edit(func(m map[string]string) { m["sign"] = "" })},
		{"signature truncated", edit(func(m map[string]string) { m["sign"] = m["sign"][:31] })},
		{"signature of another callback", edit(func(m map[string]string) {
			m["sign"] = signature(sign(fields("ORD-OTHER", "paid"), f.secret))
		})},
	}
}

// exerciseGateway checks the handler contract against one gateway: its own Ack exactly,
// duplicates, forgeries, garbage, size, method, and a failing fn retried. good returns a
// well-signed callback; every tamper must be refused as a bad signature.
func exerciseGateway(t *testing.T, gw paygate.Gateway, good func() (http.Header, []byte), tampers ...tamper) {
	t.Helper()
	path := "/cb"
	header, body := good()
	want, err := gw.ParseCallback(header.Clone(), bytes.Clone(body))
	require.NoError(t, err, "the good callback must verify")
	require.NotNil(t, want)

	t.Run("ack and duplicate", func(t *testing.T) {
		rec := &recorder{}
		srv := serve(t, webhook.Handler(gw, rec.fn, webhook.WithDeduper(webhook.NewMemoryDeduper(0, 0))))
		h, b := good()
		requireAck(t, want.Ack, post(t, srv, path, h, b))
		require.Equal(t, 1, rec.n())
		require.Equal(t, want, rec.last())

		h, b = good()
		requireAck(t, want.Ack, post(t, srv, path, h, b))
		require.Equal(t, 1, rec.n(), "a duplicate must not reach fn")
	})

	t.Run("without deduper every delivery reaches fn", func(t *testing.T) {
		rec := &recorder{}
		srv := serve(t, webhook.Handler(gw, rec.fn))
		for range 2 {
			h, b := good()
			requireAck(t, want.Ack, post(t, srv, path, h, b))
		}
		require.Equal(t, 2, rec.n())
	})

	for _, tm := range tampers {
		t.Run("tampered/"+tm.name, func(t *testing.T) {
			h, b := good()
			h, b = tm.fn(h.Clone(), bytes.Clone(b))
			_, err := gw.ParseCallback(h.Clone(), bytes.Clone(b))
			require.ErrorIs(t, err, paygate.ErrInvalidSignature, "the gateway itself must refuse it")

			rec := &recorder{}
			srv := serve(t, webhook.Handler(gw, rec.fn))
			r := post(t, srv, path, h, b)
			require.Equal(t, http.StatusUnauthorized, r.status)
			require.Equal(t, "invalid signature\n", r.body)
			require.Zero(t, rec.n(), "fn must not see a forgery")
		})
	}

	t.Run("garbage", func(t *testing.T) {
		rec := &recorder{}
		srv := serve(t, webhook.Handler(gw, rec.fn))
		h, _ := good()
		for _, b := range [][]byte{nil, []byte("not json"), []byte("{"), []byte("[]")} {
			r := post(t, srv, path, h.Clone(), b)
			// A scheme that signs raw bytes (Cashy) refuses garbage as a bad signature,
			// the others as malformed: either way 4xx and never fn.
			require.Contains(t, []int{http.StatusBadRequest, http.StatusUnauthorized}, r.status, "body %q", b)
		}
		require.Zero(t, rec.n())
	})

	t.Run("oversized", func(t *testing.T) {
		rec := &recorder{}
		srv := serve(t, webhook.Handler(gw, rec.fn, webhook.WithMaxBodyBytes(int64(len(body)-1))))
		h, b := good()
		r := post(t, srv, path, h, b)
		require.Equal(t, http.StatusRequestEntityTooLarge, r.status)
		require.Zero(t, rec.n())
	})

	t.Run("method", func(t *testing.T) {
		rec := &recorder{}
		srv := serve(t, webhook.Handler(gw, rec.fn))
		h, b := good()
		r, err := send(t.Context(), srv, http.MethodGet, path, h, b, false)
		require.NoError(t, err)
		require.Equal(t, http.StatusMethodNotAllowed, r.status)
		require.Equal(t, http.MethodPost, r.header.Get("Allow"))
		require.Zero(t, rec.n())
	})

	t.Run("fn fails then the retry is handled", func(t *testing.T) {
		rec := &recorder{fail: func(n int, _ *paygate.Callback) error {
			if n == 1 {
				return errors.New("database down")
			}
			return nil
		}}
		srv := serve(t, webhook.Handler(gw, rec.fn, webhook.WithDeduper(webhook.NewMemoryDeduper(0, 0))))
		h, b := good()
		r := post(t, srv, path, h, b)
		require.Equal(t, http.StatusInternalServerError, r.status)
		require.NotContains(t, r.body, "database")

		h, b = good()
		requireAck(t, want.Ack, post(t, srv, path, h, b))
		require.Equal(t, 2, rec.n(), "the retry must reach fn: the failure was not marked handled")
		require.Equal(t, want, rec.last())
	})
}

func decode(body []byte) map[string]string {
	m := map[string]string{}
	if err := json.Unmarshal(body, &m); err != nil {
		panic(err)
	}
	return m
}

func encode(m map[string]string) []byte {
	b, err := json.Marshal(maps.Clone(m))
	if err != nil {
		panic(err)
	}
	return b
}
