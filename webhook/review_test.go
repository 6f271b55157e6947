package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/paygate-go/paygate"
	"github.com/paygate-go/paygate/paygatetest"
	"github.com/paygate-go/paygate/sandbox"
	"github.com/paygate-go/paygate/signing"
	"github.com/paygate-go/paygate/webhook"
)

// live is a provider's sandbox, a gateway on it, and a genuine callback the sandbox signed.
type live struct {
	gw     paygate.Gateway
	header http.Header
	body   []byte
}

// liveCallback has provider's sandbox settle a pay-in and returns its callback, with a gateway
// that can still query the sandbox (webhook.Handler confirms some providers' callbacks).
func liveCallback(t *testing.T, provider string) live {
	t.Helper()
	cfg := paygate.Config{Provider: provider, MerchantID: "M10001", APIKey: "test-api-key", Secret: "webhook-secret-" + provider}
	sb, err := sandbox.New(provider, cfg)
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	cfg.BaseURL = sb.URL()
	gw, err := paygate.New(cfg)
	require.NoError(t, err)
	var got live
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got.header, got.body = r.Header.Clone(), body
		cb, err := gw.ParseCallback(r.Header, body)
		require.NoError(t, err)
		cb.Ack.Write(w)
	}))
	defer rcv.Close()
	fx := paygatetest.Fixtures(gw.Capabilities().Currency)
	req := fx.PayIn()
	req.OrderID, req.NotifyURL = paygatetest.OrderID("RS"), rcv.URL
	req.Amount = paygate.MustParseMoney(fx.Amount, fx.Currency)
	_, err = gw.PayIn(context.Background(), req)
	require.NoError(t, err)
	require.NoError(t, sb.Settle(req.OrderID, paygate.StatusSucceeded))
	require.NotEmpty(t, got.body)
	got.gw = gw
	return got
}

// signedKeys is every key the provider's signature covers, in the order it signs them.
func signedKeys(fields map[string]string, extra ...string) []string {
	keys := slices.Clone(extra)
	for k, v := range fields {
		if v != "" && k != "sign" && k != "signKey" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// before returns the key signed just before k.
func before(t *testing.T, keys []string, k string) string {
	t.Helper()
	i := slices.Index(keys, k)
	require.Positive(t, i, "%s is signed after another key", k)
	return keys[i-1]
}

func encodeFields(t *testing.T, fields map[string]string) []byte {
	t.Helper()
	b, err := json.Marshal(fields)
	require.NoError(t, err)
	return b
}

// forgeries are, per provider, bodies that carry the genuine signature of another body: the
// independent review's re-splits. Cashy signs the raw bytes: nothing can be re-split.
var forgeries = map[string]func(t *testing.T, fields map[string]string) map[string][]byte{
	// "k=v&k=v": two signed members re-split into one whose key holds "&" and "=".
	"cashgit": func(t *testing.T, f map[string]string) map[string][]byte {
		keys := signedKeys(f)
		return map[string][]byte{
			"provider order number blanked":        encodeFields(t, joinMembers(t, f, keys, "platform_orderid", "&")),
			"order number absorbs the next member": encodeFields(t, absorbNext(t, f, keys, "orderid")),
		}
	},
	"deekpay": func(t *testing.T, f map[string]string) map[string][]byte {
		keys := signedKeys(f, "access_key", "nonce", "timestamp")
		return map[string][]byte{
			"provider order number blanked":        encodeFields(t, joinMembers(t, f, keys, "orderId", "&")),
			"order number absorbs the next member": encodeFields(t, absorbNext(t, f, keys, "externalOrderId")),
		}
	},
	// "k1=v1k2=v2": a value swallows the next member.
	"paypro": func(t *testing.T, f map[string]string) map[string][]byte {
		keys := signedKeys(f)
		out := map[string][]byte{"provider order number swallowed": encodeFields(t, swallow(t, f, keys, "platFormTradeNo", true))}
		g := swallow(t, f, keys, "channelCode", true)
		g = swallow(t, g, signedKeys(g), "wayCode", true)
		out["pay-in made a pay-out"] = encodeFields(t, g)
		return out
	},
	// values only: a value moves into its neighbour, a key disappears.
	"caipay": func(t *testing.T, f map[string]string) map[string][]byte {
		return map[string][]byte{"provider order number moved": encodeFields(t, swallow(t, f, signedKeys(f), "platOrderNo", false))}
	},
}

// joinMembers replaces k and the key signed before it with one key "prev=v&k" holding k's value.
func joinMembers(t *testing.T, f map[string]string, keys []string, k, sep string) map[string]string {
	prev := before(t, keys, k)
	g := maps.Clone(f)
	g[prev+"="+f[prev]+sep+k] = f[k]
	delete(g, prev)
	delete(g, k)
	return g
}

// absorbNext moves the member signed after into into its value: "into=v" + "&k=w" becomes
// "into=v&k=w", one member whose value holds the other.
func absorbNext(t *testing.T, f map[string]string, keys []string, into string) map[string]string {
	i := slices.Index(keys, into)
	require.True(t, i >= 0 && i+1 < len(keys), "%s is signed before another key", into)
	next := keys[i+1]
	g := maps.Clone(f)
	g[into] = f[into] + "&" + next + "=" + f[next]
	delete(g, next)
	return g
}

// swallow moves member k into the value of the key signed before it: "prev=v" + "k=w" becomes
// "prev=vk=w" (withKey) or "v"+"w" (values only).
func swallow(t *testing.T, f map[string]string, keys []string, k string, withKey bool) map[string]string {
	prev := before(t, keys, k)
	g := maps.Clone(f)
	if withKey {
		g[prev] = f[prev] + k + "=" + f[k]
	} else {
		g[prev] = f[prev] + f[k]
	}
	delete(g, k)
	return g
}

// TestReviewForgedResplits: a genuine signature over a body the provider never sent. Every
// forgery verifies under the provider's signature rule, yet is refused as malformed, and
// through webhook.Handler with a Deduper the merchant's function runs once for the order.
func TestReviewForgedResplits(t *testing.T) {
	for _, provider := range sandbox.Providers() {
		forge, ok := forgeries[provider]
		if !ok {
			continue // the raw body is signed
		}
		t.Run(provider, func(t *testing.T) {
			l := liveCallback(t, provider)
			fields, err := signing.Fields(l.body)
			require.NoError(t, err)
			for name, forged := range forge(t, fields) {
				t.Run(name, func(t *testing.T) {
					_, err := l.gw.ParseCallback(l.header.Clone(), forged)
					require.ErrorIs(t, err, paygate.ErrMalformedCallback, "the forgery's signature is genuine: only its shape gives it away")
					require.NotErrorIs(t, err, paygate.ErrInvalidSignature)
					var ce *paygate.CallbackError
					require.ErrorAs(t, err, &ce, "one typed error for every malformed callback")
					require.Equal(t, provider, ce.Provider)

					rec := &recorder{}
					srv := serve(t, webhook.Handler(l.gw, rec.fn, webhook.WithDeduper(webhook.NewMemoryDeduper(time.Hour, 100))))
					r := post(t, srv, "/cb", l.header.Clone(), l.body)
					require.Equal(t, http.StatusOK, r.status, r.body)
					r = post(t, srv, "/cb", l.header.Clone(), forged)
					require.Equal(t, http.StatusBadRequest, r.status)
					require.Equal(t, 1, rec.n(), "one callback, one call: never a double credit")
				})
			}
		})
	}
}

// TestKeyIgnoresProviderOrderID: the dedupe key is provider, kind, status and the merchant's
// order number; a body re-split to drop the provider's order number is the same callback.
func TestKeyIgnoresProviderOrderID(t *testing.T) {
	a := &paygate.Callback{Kind: paygate.KindPayIn, OrderID: "O1", ProviderOrderID: "P1", Status: paygate.StatusSucceeded}
	b := *a
	b.ProviderOrderID = ""
	require.Equal(t, webhook.Key("cashgit", a), webhook.Key("cashgit", &b))
	require.NotEqual(t, webhook.Key("cashgit", a), webhook.Key("deekpay", a))
	c := *a
	c.Kind = paygate.KindPayOut
	require.NotEqual(t, webhook.Key("cashgit", a), webhook.Key("cashgit", &c))
	require.True(t, strings.HasSuffix(webhook.Key("cashgit", a), "O1"))
}

// caipayShop is a CaiPay sandbox with the merchant's orders, a gateway, and webhook.Handler
// with a Deduper and the default confirmation behind the notify URL; bodies keeps every
// callback CaiPay delivered.
type caipayShop struct {
	sb     *sandbox.Server
	gw     paygate.Gateway
	rec    *recorder
	srv    *httptest.Server
	bodies chan []byte
}

func newCaiPayShop(t *testing.T, orders ...string) *caipayShop {
	t.Helper()
	cfg := paygate.Config{Provider: "caipay", MerchantID: "M10001", APIKey: "test-api-key", Secret: "webhook-secret-caipay"}
	sb, err := sandbox.New("caipay", cfg)
	require.NoError(t, err)
	t.Cleanup(sb.Close)
	cfg.BaseURL = sb.URL()
	s := &caipayShop{sb: sb, rec: &recorder{}, bodies: make(chan []byte, 16)}
	s.gw, err = paygate.New(cfg)
	require.NoError(t, err)
	h := webhook.Handler(s.gw, s.rec.fn, webhook.WithDeduper(webhook.NewMemoryDeduper(0, 0)))
	s.srv = serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.bodies <- b
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		h.ServeHTTP(w, r)
	}))
	fx := paygatetest.Fixtures(paygate.INR)
	for _, id := range orders {
		req := fx.PayIn()
		req.OrderID, req.NotifyURL, req.Amount = id, s.srv.URL, paygate.MustParseMoney(fx.Amount, fx.Currency)
		_, err := s.gw.PayIn(context.Background(), req)
		require.NoError(t, err)
	}
	return s
}

// settle has the sandbox settle order id and returns the fields of the callback it delivered.
func (s *caipayShop) settle(t *testing.T, id string) map[string]string {
	t.Helper()
	require.NoError(t, s.sb.Settle(id, paygate.StatusSucceeded))
	f, err := signing.Fields(<-s.bodies)
	require.NoError(t, err)
	return f
}

func (s *caipayShop) seen() []string {
	s.rec.mu.Lock()
	defer s.rec.mu.Unlock()
	var got []string
	for _, cb := range s.rec.cbs {
		got = append(got, cb.OrderID+":"+string(cb.Status))
	}
	return got
}

// TestReviewCaiPayResplitsThroughHandler: CaiPay signs the values alone, so moving a boundary
// between two values keeps a genuine signature; only the confirming query tells the truth,
// and the dedupe key is made from it.
func TestReviewCaiPayResplitsThroughHandler(t *testing.T) {
	t.Run("a forged success does not stand in for the real one", func(t *testing.T) {
		s := newCaiPayShop(t, "ORD12345", "ORD123456")
		f := s.settle(t, "ORD123456")
		// "6" moves from customerOrderNo into description: a callback for ORD12345.
		f["customerOrderNo"], f["description"] = "ORD12345", "6"+f["description"]
		r := post(t, s.srv, "/", nil, encodeFields(t, f))
		<-s.bodies
		require.Equal(t, http.StatusOK, r.status, r.body)
		require.Equal(t, []string{"ORD123456:succeeded", "ORD12345:pending"}, s.seen(), "confirmed: still pending")

		s.settle(t, "ORD12345") // ORD12345 is really paid now
		require.Equal(t, []string{"ORD123456:succeeded", "ORD12345:pending", "ORD12345:succeeded"}, s.seen())
	})
	t.Run("a replayed success moved between values credits once", func(t *testing.T) {
		s := newCaiPayShop(t, "ORD777")
		f := s.settle(t, "ORD777")
		utr := f["payUtrNo"]
		for i := 1; i <= 3; i++ {
			g := maps.Clone(f)
			g["orderStatus"], g["payUtrNo"] = f["orderStatus"]+utr[:i], utr[i:]
			r := post(t, s.srv, "/", nil, encodeFields(t, g))
			<-s.bodies
			require.Equal(t, http.StatusOK, r.status, r.body)
		}
		require.Equal(t, []string{"ORD777:succeeded"}, s.seen(), "one payment, one success handed to fn")
	})
}
